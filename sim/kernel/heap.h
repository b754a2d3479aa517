/*
 * heap.h - a binary heap over a plain array, typed per use (like the BSD
 * sys/tree.h macros): SS_HEAP_DEFINE(name, type, first) generates
 *
 *   static void name_sift_up(type *h, size_t i, int arg);
 *   static void name_sift_down(type *h, size_t n, size_t i, int arg);
 *
 * where first(a, b, arg) says a goes before b (the top is the element no
 * other goes before); arg is passed through (e.g. a key length). The caller
 * owns the array and its length: push = append then sift_up(n - 1); pop =
 * move the last to 0 then sift_down(0). The event kernel keeps its own
 * 4-ary heap (evq.c); these are the models' indexes.
 */
#ifndef SPOTSIM_HEAP_H
#define SPOTSIM_HEAP_H

#include <stddef.h>

#define SS_HEAP_DEFINE(name, type, first)                                                                          \
    static inline void name##_sift_up(type *h, size_t i, int arg)                                                  \
    {                                                                                                              \
        type x = h[i];                                                                                             \
        while (i > 0) {                                                                                            \
            size_t p = (i - 1) / 2;                                                                                \
            if (!first(&x, &h[p], arg))                                                                            \
                break;                                                                                             \
            h[i] = h[p];                                                                                           \
            i = p;                                                                                                 \
        }                                                                                                          \
        h[i] = x;                                                                                                  \
    }                                                                                                              \
    static inline void name##_sift_down(type *h, size_t n, size_t i, int arg)                                      \
    {                                                                                                              \
        type x = h[i];                                                                                             \
        for (;;) {                                                                                                 \
            size_t l = 2 * i + 1, m = i;                                                                           \
            const type *best = &x;                                                                                 \
            if (l < n && first(&h[l], best, arg)) {                                                                \
                m = l;                                                                                             \
                best = &h[l];                                                                                      \
            }                                                                                                      \
            if (l + 1 < n && first(&h[l + 1], best, arg))                                                          \
                m = l + 1;                                                                                         \
            if (m == i)                                                                                            \
                break;                                                                                             \
            h[i] = h[m];                                                                                           \
            i = m;                                                                                                 \
        }                                                                                                          \
        h[i] = x;                                                                                                  \
    }

#endif

/*
 * names.c - name rules of the AWS and Kubernetes APIs (see names.h).
 */
#include "sim/scenario/names.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static int fail(char *why, size_t n, const char *msg)
{
    snprintf(why, n, "%s", msg);
    return -1;
}

static int is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

int ss_text_check(const char *s, size_t len, int multiline, char *why, size_t n)
{
    if (strlen(s) != len)
        return fail(why, n, "holds a NUL character (\\0)");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (multiline && (*p == '\n' || *p == '\r' || *p == '\t'))
            continue;
        if (*p < 0x20 || *p == 0x7f) {
            snprintf(why, n, "holds a control character (\\x%02x)%s", *p,
                     *p == '\n' ? ": a line break" : "");
            return -1;
        }
    }
    return 0;
}

int ss_name_check_asg(const char *s, char *why, size_t n)
{
    size_t len = strlen(s);
    if (len == 0 || len > 255)
        return fail(why, n, "an ASG name has 1 to 255 characters");
    if (s[0] == ' ' || s[len - 1] == ' ')
        return fail(why, n, "an ASG name does not begin or end with a space");
    return 0;
}

static int ecs_name(const char *s, const char *what, char *why, size_t n)
{
    size_t len = strlen(s);
    if (len == 0 || len > 255) {
        snprintf(why, n, "an ECS %s name has 1 to 255 characters", what);
        return -1;
    }
    for (const char *p = s; *p; p++)
        if (!is_alnum(*p) && *p != '_' && *p != '-') {
            snprintf(why, n, "an ECS %s name has only letters, digits, '_' and '-' (not '%c')", what, *p);
            return -1;
        }
    return 0;
}

int ss_name_check_ecs_capacity_provider(const char *s, char *why, size_t n)
{
    if (ecs_name(s, "capacity provider", why, n))
        return -1;
    static const char *const reserved[] = {"aws", "ecs", "fargate"};
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (!strncasecmp(s, reserved[i], strlen(reserved[i]))) {
            snprintf(why, n, "an ECS capacity provider name cannot begin with \"%s\"", reserved[i]);
            return -1;
        }
    return 0;
}

int ss_name_check_ecs_service(const char *s, char *why, size_t n) { return ecs_name(s, "service", why, n); }

int ss_name_check_k8s_object(const char *s, char *why, size_t n)
{
    size_t len = strlen(s);
    if (len == 0 || len > 253)
        return fail(why, n, "a Kubernetes name has 1 to 253 characters");
    /* labels separated by '.', each [a-z0-9]([-a-z0-9]*[a-z0-9])? */
    const char *label = s;
    for (const char *p = s;; p++) {
        if (*p == '.' || !*p) {
            if (p == label || p[-1] == '-' || *label == '-')
                return fail(why, n,
                            "a Kubernetes name is lowercase letters, digits, '-' and '.', each part starting "
                            "and ending with a letter or digit (RFC 1123)");
            if (!*p)
                break;
            label = p + 1;
            continue;
        }
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return fail(why, n,
                        "a Kubernetes name is lowercase letters, digits, '-' and '.', each part starting "
                        "and ending with a letter or digit (RFC 1123)");
    }
    return 0;
}

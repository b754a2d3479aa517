/*
 * asg_victims.h - the scale-in victim index of an Auto Scaling group
 * (internal to models/asg.c).
 *
 * The termination policies (aws-semantics.md §1.9) order the candidates of
 * one zone and purchase option lexicographically: each step keeps the
 * candidates with the best score, the Default policy's last step is a
 * (keyed) random choice, and spotsim breaks an exact tie by the lowest id.
 * That is a total order, so the victim (its maximum) is the maximum of the
 * per-pool maxima. Inside one pool every pool-level step (the allocation
 * strategy's score) is a constant, and the instance-level steps depend only
 * on the launch time (ClosestToNextInstanceHour, NewestInstance,
 * OldestInstance), the instance's keyed random number and its id. So each
 * (pool, purchase option) keeps its candidates (counted, not protected)
 * sorted by a static key, and the best of a pool is one tree search:
 *
 *   - ClosestToNextInstanceHour first: by launch mod 1 h; the best is the
 *     first with launch mod 1 h > now mod 1 h, circularly (the most elapsed
 *     of the current hour), then a later NewestInstance/OldestInstance;
 *   - NewestInstance / OldestInstance first: by launch time;
 *   - none: by the random number alone;
 *
 * then the random number (higher first) and the id (lower first).
 * ss_asg_pick_victim applies the termination steps to the (at most one per
 * instance type) pool maxima; ss_asg_pick_victim_scan, which scores every
 * candidate, is kept as the reference the tests compare against.
 * A red-black tree per pool and purchase option (libbsd's sys/tree.h):
 * O(types x log n) per victim and O(log n) per change.
 */
#ifndef SPOTSIM_ASG_VICTIMS_H
#define SPOTSIM_ASG_VICTIMS_H

#include "models/asg.h"

/* Derive the sort key from the group's termination policies; empty index. */
void ss_asg_victims_init(ss_asg_group *g);
void ss_asg_victims_free(ss_asg_group *g);
/* Put `in` in or out of the index, as it is (or is not) a candidate now:
 * counted by the group (alive, not leaving) and not scale-in protected.
 * Called at every change of state, leaving or protection. */
void ss_asg_victims_sync(ss_asg_group *g, ss_instance *in);
/* The best candidate of the pool and purchase option under the
 * instance-level termination steps, or NULL when it has none. */
ss_instance *ss_asg_victims_best(const ss_asg_group *g, int pool, bool spot);

#endif

/*
 * fuzz_scenario.c - libFuzzer target for the scenario reader (and the
 * exporters of what it accepts).
 */
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_scenario_one(data, size); }

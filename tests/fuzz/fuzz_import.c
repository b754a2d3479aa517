/*
 * fuzz_import.c - libFuzzer target for one import format; scripts/fuzz
 * builds it once per format with -DFUZZ_FORMAT=SS_IMPORT_... (and
 * SS_IMPORT_AUTO: format detection first).
 */
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_import_one(FUZZ_FORMAT, data, size); }

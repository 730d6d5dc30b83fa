// SwiftPM links each executable with `--defsym main=<Target>_main`, and `-parse-as-library`
// (which libFuzzer needs: its driver owns `main`) emits no such symbol. Each one here hands
// the process to libFuzzer's driver with the target's LLVMFuzzerTestOneInput.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAIN(target) \
    int target##_main(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }

FUZZ_MAIN(FuzzWebhook)
FUZZ_MAIN(FuzzAmount)
FUZZ_MAIN(FuzzSignature)
FUZZ_MAIN(FuzzAdmin)

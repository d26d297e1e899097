// The shim's <bundle>/options.json (parse_shim_options, src/shim_options.cpp): the file that
// says whether containerd dropped the runtime options.
#include "fuzz_util.hpp"
#include "wrapper/shim_options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text = fuzz::text_of(data, size);
    auto shim = runcwrap::parse_shim_options(text);
    if (!shim) {
        FUZZ_CHECK(!shim.error().message.empty());
        return 0;
    }
    // Dropped means task keys only: a runtime key anywhere means the shim had its options.
    if (shim->runtime_options_dropped()) FUZZ_CHECK(shim->options.binary_name.empty());
    if (!shim->options.binary_name.empty() || !shim->options.root.empty() ||
        shim->options.systemd_cgroup)
        FUZZ_CHECK(!shim->runtime_options_dropped());
    return 0;
}

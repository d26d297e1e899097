// The TOML side file (parse_side_config, src/side_config.cpp, toml++), and the restoration of
// what it asks for on the shim's own create call (restore_dropped_options).
#include "fuzz_util.hpp"
#include "wrapper/decision.hpp"
#include "wrapper/side_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text = fuzz::text_of(data, size);
    auto config = runcwrap::parse_side_config(text, "/etc/runcwrap/config.toml");
    if (!config) {
        // Every refusal names the file: the operator must know which file to fix.
        FUZZ_CHECK(config.error().message.find("/etc/runcwrap/config.toml") != std::string::npos);
        return 0;
    }
    const auto& o = config->options;
    // What the loader promises the resolver: BinaryName absolute or bare, Root absolute.
    FUZZ_CHECK(o.binary_name.empty() || o.binary_name[0] == '/' ||
               o.binary_name.find('/') == std::string::npos);
    FUZZ_CHECK(o.root.empty() || o.root[0] == '/');
    FUZZ_CHECK(config->log_file.empty() || config->log_file[0] == '/');

    static const std::vector<std::string_view> argv{
        "runc",  "--root",      "/run/containerd/runc/k8s.io",
        "--log", "/b/log.json", "--log-format",
        "json",  "create",      "--bundle",
        "/b",    "--pid-file",  "/b/init.pid",
        "c1"};
    const runcwrap::RuncCall call = runcwrap::parse_runc_argv(argv);
    std::vector<std::string> restored;
    auto args = runcwrap::restore_dropped_options(call, o, restored);
    FUZZ_CHECK(!args.empty() && args.back() == "c1");
    return 0;
}

// The hot path's strict side-file reader (parse_side_config_strict, src/side_config_strict.cpp)
// checked against the reference, toml++ (parse_side_config, src/side_config.cpp), as
// fuzz/config_json checks the config.json SAX reader against the DOM: whenever the strict
// reader answers, toml++ must accept the same text and read exactly the same configuration.
// (When it defers, the hot path asks toml++ itself, so the answers cannot differ.)
#include "fuzz_util.hpp"
#include "wrapper/side_config.hpp"
#include "wrapper/side_config_strict.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text = fuzz::text_of(data, size);
    constexpr const char* kPath = "/etc/runcwrap/config.toml";
    auto strict = runcwrap::parse_side_config_strict(text, kPath);
    if (!strict) return 0;
    auto reference = runcwrap::parse_side_config(text, kPath);
    FUZZ_CHECK(reference);
    const runcwrap::SideConfig& a = *strict;
    const runcwrap::SideConfig& b = *reference;
    FUZZ_CHECK(a.path == b.path);
    FUZZ_CHECK(a.has_options == b.has_options);
    FUZZ_CHECK(a.options.binary_name == b.options.binary_name);
    FUZZ_CHECK(a.options.root == b.options.root);
    FUZZ_CHECK(a.options.systemd_cgroup == b.options.systemd_cgroup);
    FUZZ_CHECK(a.options.no_pivot_root == b.options.no_pivot_root);
    FUZZ_CHECK(a.options.no_new_keyring == b.options.no_new_keyring);
    FUZZ_CHECK(a.chown_stdio == b.chown_stdio);
    FUZZ_CHECK(a.log_file == b.log_file);
    FUZZ_CHECK(a.handlers.size() == b.handlers.size());
    for (std::size_t i = 0; i < a.handlers.size() && i < b.handlers.size(); ++i) {
        const runcwrap::HandlerRecord& x = a.handlers[i];
        const runcwrap::HandlerRecord& y = b.handlers[i];
        FUZZ_CHECK(x.name == y.name);
        FUZZ_CHECK(x.options.binary_name == y.options.binary_name);
        FUZZ_CHECK(x.options.root == y.options.root);
        FUZZ_CHECK(x.options.systemd_cgroup == y.options.systemd_cgroup);
        FUZZ_CHECK(x.options.no_pivot_root == y.options.no_pivot_root);
        FUZZ_CHECK(x.options.no_new_keyring == y.options.no_new_keyring);
        FUZZ_CHECK(runcwrap::acceptable_binary_name(x.options.binary_name));
    }
    // The rules of side_config.hpp hold for every answer.
    FUZZ_CHECK(!a.has_options || runcwrap::acceptable_binary_name(a.options.binary_name));
    return 0;
}

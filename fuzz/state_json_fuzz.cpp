// runc's <root>/<id>/state.json (parse_runc_state, src/runc_state.cpp).
#include "fuzz_util.hpp"
#include "wrapper/idmap.hpp"
#include "wrapper/runc_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text = fuzz::text_of(data, size);
    auto state = runcwrap::parse_runc_state(text);
    if (!state) {
        FUZZ_CHECK(!state.error().message.empty());
        return 0;
    }
    (void)runcwrap::map_to_host(state->uid_mappings, 0);
    (void)runcwrap::map_to_host(state->gid_mappings, 0xFFFFFFFEu);
    (void)runcwrap::describe(state->uid_mappings);
    // The kernel's own map format goes through the same ranges: parse the input that way too.
    (void)runcwrap::parse_proc_id_map(fuzz::text_of(data, size));
    return 0;
}

// A bundle's config.json (parse_container_spec, src/oci_spec.cpp) checked against the DOM
// reference reader (tests/support/container_spec_reference.hpp), and the id mapping that runs
// on what it returns (src/idmap.cpp).
#include "container_spec_reference.hpp"
#include "fuzz_util.hpp"
#include "wrapper/idmap.hpp"
#include "wrapper/oci_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text = fuzz::text_of(data, size);
    std::string for_reference = text;
    auto spec = runcwrap::parse_container_spec(text);
    // The SAX reader must answer exactly as a DOM lookup of the same fields does.
    auto reference = runcwrap::reference::parse_container_spec_dom(for_reference);
    FUZZ_CHECK(runcwrap::reference::spec_difference(spec, reference).empty());
    if (!spec) {
        FUZZ_CHECK(!spec.error().message.empty());
        return 0;
    }
    (void)runcwrap::describe(spec->uid_mappings);
    (void)runcwrap::describe(spec->gid_mappings);
    if (spec->process_user) {
        auto uid = runcwrap::map_to_host(spec->uid_mappings, spec->process_user->uid);
        auto gid = runcwrap::map_to_host(spec->gid_mappings, spec->process_user->gid);
        // (uid_t)-1 means "no change" to fchown: it must never come out as a mapped id.
        FUZZ_CHECK(!uid || *uid != 0xFFFFFFFFu);
        FUZZ_CHECK(!gid || *gid != 0xFFFFFFFFu);
    }
    return 0;
}

// runc exec's --process file (parse_process_user, src/oci_spec.cpp); the same bytes also go to
// the --user uid[:gid] parser.
#include "fuzz_util.hpp"
#include "wrapper/oci_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text = fuzz::text_of(data, size);
    const std::string as_flag = text;
    auto user = runcwrap::parse_process_user(text);
    if (!user) FUZZ_CHECK(!user.error().message.empty());
    auto flag = runcwrap::parse_user_flag(as_flag, runcwrap::ProcessUser{7, 8});
    if (flag && as_flag.find(':') == std::string::npos) FUZZ_CHECK(flag->gid == 8);
    return 0;
}

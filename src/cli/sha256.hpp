// SHA-256 (FIPS 180-4) of a byte string, as lowercase hex: what `sha256sum` prints. The route
// record names each file it changed by it, to tell "unchanged since" from "edited since". Pure.
#pragma once

#include <string>
#include <string_view>

namespace runcwrap {

std::string sha256_hex(std::string_view data);

}  // namespace runcwrap

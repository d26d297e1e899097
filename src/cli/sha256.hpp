// SHA-256 (FIPS 180-4), as the hex digests `sha256sum` prints: install's manifest checksums (the
// same as those of a manifest the shell install.sh wrote) and route's record of each file it
// changed (to tell "unchanged since" from "edited since"). Pure.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace runcwrap {

class Sha256 {
  public:
    Sha256();
    void update(std::string_view bytes);
    std::string hex_digest();  // finishes the hash: call once

  private:
    void block(const unsigned char* p);
    std::array<std::uint32_t, 8> h_{};
    std::array<unsigned char, 64> buf_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_ = 0;
};

std::string sha256_hex(std::string_view bytes);

}  // namespace runcwrap

// SHA-256 (FIPS 180-4), for the manifest's checksums: the same hex digests `sha256sum` prints,
// so a manifest written by the shell install.sh reads the same.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace runcwrap::install {

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

}  // namespace runcwrap::install

// The release binary's global operator new/delete: a bump arena (1 MiB of .bss), then malloc.
//
// Why: a wrapper call lives for well under a millisecond and ends in execve, which drops every
// allocation at once. musl's allocator gives each size class its own page group, mapped with its
// own mmap and unmapped again on free (a 9 KB config.json alone costs an mmap + munmap of 28 KiB),
// and every fresh page is a page fault (3-5 µs each on the VMs measured in bench/results.md).
// A bump arena packs a call's ~20 KiB of strings and vectors into as few pages as they fill;
// pages that are never touched cost nothing. It is .bss, which the kernel maps with the binary
// at exec: no mmap of its own (one system call less per call). src/hot_path.ld places it right
// after the few .bss variables start-up writes, on the page they share, and before the rest.
//
// Freed arena memory is reused only when it is the most recent allocation (a temporary freed
// before anything else is allocated); anything else stays until exit. Past the arena (the CLI's
// long runs, a 100 000-argument call) allocations go to malloc as usual, and delete tells the two
// apart by address. Single-threaded by design: runcwrap never starts a thread.
//
// This file is linked into build/runcwrap only: the sanitizer and test builds keep their own
// allocator so that ASan still sees every heap error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t kArenaBytes = std::size_t{1} << 20;
constexpr std::size_t kAlign = alignof(std::max_align_t);

// The one piece of process-wide state in runcwrap: an allocator is global by nature. Its own
// section, so that the linker script can place the storage (see above).
[[gnu::section(".bss.runcwrap_arena")]] alignas(kAlign) unsigned char arena_storage[kArenaBytes];
struct Arena {
    std::size_t used = 0;
    std::size_t last = 0;  // offset of the most recent allocation
};
Arena arena;

constexpr std::size_t round_up(std::size_t n) { return (n + kAlign - 1) & ~(kAlign - 1); }

bool in_arena(const void* p) {
    auto addr = reinterpret_cast<std::uintptr_t>(p);
    auto base = reinterpret_cast<std::uintptr_t>(arena_storage);
    return addr >= base && addr < base + kArenaBytes;
}

void* allocate(std::size_t n) {
    std::size_t size = round_up(n == 0 ? 1 : n);
    if (size <= kArenaBytes - arena.used) {
        arena.last = arena.used;
        arena.used += size;
        return arena_storage + arena.last;
    }
    return std::malloc(n == 0 ? 1 : n);
}

void release(void* p) noexcept {
    if (p == nullptr) return;
    if (!in_arena(p)) {
        std::free(p);
        return;
    }
    if (static_cast<unsigned char*>(p) == arena_storage + arena.last) arena.used = arena.last;
}

}  // namespace

void* operator new(std::size_t n) {
    if (void* p = allocate(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = allocate(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }

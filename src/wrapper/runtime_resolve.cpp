#include "wrapper/runtime_resolve.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "common/fs.hpp"
#include "wrapper/binary_marker.hpp"

namespace runcwrap {
namespace {

struct Opened {
    UniqueFd fd;
    struct stat st {};
    FileHead head;
};

// Opens a candidate file and reads what its first bytes say; errno on failure.
std::optional<Opened> open_candidate(const std::string& path, int& err) {
    Opened o;
    o.fd.reset(open_path(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!o.fd.valid() || ::fstat(o.fd.get(), &o.st) != 0) {
        err = errno;
        return std::nullopt;
    }
    if (S_ISREG(o.st.st_mode)) o.head = read_file_head(o.fd.get());
    return o;
}

std::string trust_problem(const struct stat& st, const std::string& path) {
    if (S_ISDIR(st.st_mode))
        return path + " is a directory; fix: name the runtime's executable file instead";
    if (!S_ISREG(st.st_mode))
        return path + " is not a regular file; fix: name the runtime's executable file instead";
    if ((st.st_mode & 0111) == 0) return path + " is not executable; fix: chmod 0755 " + path;
    if (auto why = untrusted_reason(st, path); !why.empty())
        return why + "; fix: chown root:root " + path + " && chmod go-w " + path;
    return {};
}

std::vector<std::string> path_dirs(std::string_view path_env) {
    if (path_env.empty()) path_env = kDefaultPath;
    std::vector<std::string> dirs;
    while (true) {
        auto colon = path_env.find(':');
        std::string_view dir = path_env.substr(0, colon);
        // An empty PATH entry means the current directory; runcwrap never runs a runtime from
        // wherever the caller happens to stand.
        if (!dir.empty() && dir[0] == '/') dirs.emplace_back(dir);
        if (colon == std::string_view::npos) break;
        path_env.remove_prefix(colon + 1);
    }
    return dirs;
}

// The identities of runtimes the decision says not to run (a wrapping runtime that called us).
std::vector<FileIdentity> excluded_identities(const Decision& d, const ResolveContext& ctx,
                                              const std::optional<FileIdentity>& self) {
    std::vector<FileIdentity> ids;
    for (const auto& name : d.exclude) {
        std::vector<std::string> paths;
        if (name.find('/') != std::string::npos) {
            paths.push_back(name);
        } else {
            for (const auto& dir : path_dirs(ctx.path_env)) paths.push_back(dir + "/" + name);
        }
        for (const auto& p : paths) {
            struct stat st {};
            if (::stat(p.c_str(), &st) != 0) continue;
            if (identity_of(st) == self) continue;
            ids.push_back(identity_of(st));
            break;
        }
    }
    return ids;
}

}  // namespace

namespace {

FileHead head_of(std::string_view bytes) {
    return FileHead{bytes.substr(0, 2) == "#!", has_runcwrap_note(bytes)};
}

// The whole probe, for the rare file whose program headers or notes reach past the first read.
// Out of line, so that its 4 KiB buffer is on the stack only then.
[[gnu::noinline]] FileHead read_whole_probe(int fd) {
    char head[kMarkerProbeBytes];
    const ssize_t n = ::pread(fd, head, sizeof head, 0);
    if (n <= 0) return {};
    return head_of(std::string_view(head, static_cast<std::size_t>(n)));
}

}  // namespace

FileHead read_file_head(int fd) {
    // The first 1 KiB holds all the note check reads for runc, crun and runcwrap itself (their
    // notes follow the program headers, below 0x400); the rest of the 4 KiB probe is read only
    // when the program headers say a note lies further. A 4 KiB buffer here was the deepest
    // frame of a wrapper call: one more fresh stack page.
    char head[1024];
    const ssize_t n = ::pread(fd, head, sizeof head, 0);
    if (n <= 0) return {};
    const std::string_view bytes(head, static_cast<std::size_t>(n));
    // A short read of a regular file is its end: these bytes are all the probe would see.
    if (bytes.size() == sizeof head && marker_bytes_needed(bytes) > bytes.size())
        return read_whole_probe(fd);
    return head_of(bytes);
}

bool names_runcwrap(std::string_view name, std::string_view path_env) {
    auto is_runcwrap = [](const std::string& path) -> std::optional<bool> {
        int err = 0;
        auto o = open_candidate(path, err);
        if (!o || S_ISDIR(o->st.st_mode)) return std::nullopt;
        return S_ISREG(o->st.st_mode) && o->head.is_runcwrap;
    };
    if (name.find('/') != std::string_view::npos)
        return is_runcwrap(std::string(name)).value_or(false);
    for (const auto& dir : path_dirs(path_env))
        if (auto found = is_runcwrap(dir + "/" + std::string(name))) return *found;
    return false;
}

Result<FileIdentity> self_identity() {
    struct stat st {};
    if (::stat("/proc/self/exe", &st) != 0)
        return make_error("cannot stat /proc/self/exe (" + errno_text(errno) +
                          "): runcwrap needs /proc to recognise itself");
    return identity_of(st);
}

Result<ResolvedRuntime> resolve_runtime(const Decision& decision, const ResolveContext& ctx) {
    // runcwrap's own identity, asked of /proc only when a candidate is runcwrap (or a wrapping
    // runtime is to be excluded): on the usual call the runtime has no note and /proc is never
    // touched (the first /proc lookup of a process cost ≈16 µs, bench/results.md).
    std::optional<FileIdentity> self = ctx.self;
    auto self_or_error = [&]() -> Result<FileIdentity> {
        if (!self) {
            auto asked = self_identity();
            if (!asked) return asked.error();
            self = *asked;
        }
        return *self;
    };
    if (!decision.exclude.empty()) {
        auto known = self_or_error();
        if (!known) return known.error();
    }
    const std::vector<FileIdentity> excluded = excluded_identities(decision, ctx, self);
    std::vector<std::string> skipped;
    // "runcwrap itself", "another copy of runcwrap", or nullptr for any other file. The note
    // alone decides that it is runcwrap; /proc/self/exe only says which of the two words fits
    // (without /proc it is still refused, as a copy).
    auto which_runcwrap = [&](const Opened& o) -> const char* {
        if (!o.head.is_runcwrap) return nullptr;
        auto known = self_or_error();
        if (known && identity_of(o.st) == *known) return "runcwrap itself";
        return "another copy of runcwrap";
    };
    auto why_skip = [&](const Opened& o) -> std::string {
        const FileIdentity id = identity_of(o.st);
        if (const char* what = which_runcwrap(o)) return std::string("it is ") + what;
        if (ctx.chain && ctx.chain->contains(id)) return "it already ran in this call chain";
        if (std::find(excluded.begin(), excluded.end(), id) != excluded.end())
            return "it is the wrapping runtime that called runc";
        return {};
    };
    auto accept = [&](Opened o, const std::string& path,
                      const RuntimeCandidate& c) -> Result<ResolvedRuntime> {
        if (auto problem = trust_problem(o.st, path); !problem.empty())
            return make_error("runtime " + problem + " (from " + c.source + ")");
        ResolvedRuntime r;
        r.argv0 = c.name;
        r.path = path;
        r.source = c.source;
        r.identity = identity_of(o.st);
        r.is_script = o.head.is_script;
        r.fd = std::move(o.fd);
        r.skipped = skipped;
        return r;
    };

    std::string seen_path;
    for (const auto& c : decision.candidates) {
        if (c.name.find('/') != std::string::npos) {
            int err = 0;
            auto o = open_candidate(c.name, err);
            if (!o && err == ELOOP)
                return make_error("runtime " + c.name + " (from " + c.source +
                                  ") is a symlink loop; fix: point it at the real runtime file");
            if (!o)
                return make_error("runtime " + c.name + " (from " + c.source +
                                  "): " + errno_text(err) +
                                  "; fix: install it there or name the real runtime");
            if (std::string why = why_skip(*o); !why.empty()) {
                if (const char* what = which_runcwrap(*o); what && c.must_not_be_self)
                    return make_error(c.source + " is " + c.name + ", which is " + what +
                                      "; fix: name the real runtime there, e.g. /usr/sbin/runc");
                skipped.push_back(c.name + ": " + why);
                continue;
            }
            return accept(std::move(*o), c.name, c);
        }
        // A bare name: look it up in PATH, passing over runcwrap and runtimes already run.
        bool found_any = false;
        for (const auto& dir : path_dirs(ctx.path_env)) {
            std::string path = dir + "/" + c.name;
            int err = 0;
            auto o = open_candidate(path, err);
            if (!o || S_ISDIR(o->st.st_mode)) continue;
            found_any = true;
            if (std::string why = why_skip(*o); !why.empty()) {
                if (const char* what = which_runcwrap(*o); what && c.must_not_be_self)
                    return make_error(c.source + " is " + c.name + ", found in PATH as " + path +
                                      ", which is " + what +
                                      "; fix: name the real runtime by its absolute path, e.g. "
                                      "/usr/sbin/runc");
                skipped.push_back(path + ": " + why);
                continue;
            }
            return accept(std::move(*o), path, c);
        }
        seen_path = std::string(ctx.path_env.empty() ? kDefaultPath : ctx.path_env);
        if (!found_any && c.must_not_be_self)
            return make_error("runtime " + c.name + " (from " + c.source + ") is not in PATH (" +
                              seen_path + "); fix: install it or name it by its absolute path");
        if (!found_any) skipped.push_back(c.name + ": not found in PATH other than runcwrap");
    }
    std::string message = "no runtime to run: ";
    for (std::size_t i = 0; i < skipped.size(); ++i) message += (i ? "; " : "") + skipped[i];
    message += " (PATH=" + seen_path +
               "); fix: install the real runc and name it in the side file's [options] "
               "BinaryName";
    return make_error(message);
}

}  // namespace runcwrap

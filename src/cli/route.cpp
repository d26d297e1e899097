#include "cli/route.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <ostream>

#include "cli/atomic_files.hpp"
#include "cli/containerd_config_edit.hpp"
#include "cli/dependents.hpp"
#include "cli/line_diff.hpp"
#include "cli/route_record.hpp"
#include "cli/sha256.hpp"
#include "common/fs.hpp"
#include "common/unique_fd.hpp"
#include "wrapper/binary_marker.hpp"
#include "wrapper/decision.hpp"

extern "C" char** environ;

namespace runcwrap {
namespace {

constexpr std::string_view kRouteComment =
    "# Written by `runcwrap route`: the handler's runtime options as containerd's config had "
    "them\n# before routing; BinaryName is the real runtime (\"runc\" when it was unset: the "
    "next runc in PATH).\n";
constexpr const char* kRecordName = "record.json";

// ---- side-file text ------------------------------------------------------------------------

struct TextLine {
    std::size_t begin = 0;
    std::size_t end = 0;    // past its "\n"
    std::string_view text;  // without it
};

std::vector<TextLine> text_lines(std::string_view text) {
    std::vector<TextLine> lines;
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t nl = text.find('\n', pos);
        const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        std::string_view content = text.substr(pos, end - pos);
        while (!content.empty() && (content.back() == '\n' || content.back() == '\r'))
            content.remove_suffix(1);
        lines.push_back({pos, end, content});
        pos = end;
    }
    return lines;
}

bool opens_table(std::string_view line) {
    const std::size_t i = line.find_first_not_of(" \t");
    return i != std::string_view::npos && line[i] == '[';
}

bool is_key_line(std::string_view line) {
    const std::size_t i = line.find_first_not_of(" \t\r\n");
    return i != std::string_view::npos && line[i] != '#' && line[i] != '[';
}

struct Block {
    std::size_t begin = 0;  // byte offsets of the header line .. the last key line's end
    std::size_t end = 0;
};

// [handlers.NAME]: from its header to its last key line (comments and blank lines after it
// belong to whatever follows).
std::optional<Block> handler_block(std::string_view text, std::string_view name) {
    const auto lines = text_lines(text);
    for (std::size_t l = 0; l < lines.size(); ++l) {
        auto keys = parse_table_header(lines[l].text);
        if (!keys || keys->size() != 2 || (*keys)[0] != "handlers" || (*keys)[1] != name) continue;
        Block block{lines[l].begin, lines[l].end};
        for (std::size_t k = l + 1; k < lines.size() && !opens_table(lines[k].text); ++k)
            if (is_key_line(lines[k].text)) block.end = lines[k].end;
        return block;
    }
    return std::nullopt;
}

std::optional<Block> last_handler_block(std::string_view text) {
    std::optional<Block> last;
    for (const auto& line : text_lines(text)) {
        auto keys = parse_table_header(line.text);
        if (keys && keys->size() == 2 && (*keys)[0] == "handlers") {
            auto block = handler_block(text, (*keys)[1]);
            if (block && (!last || block->begin > last->begin)) last = block;
        }
    }
    return last;
}

bool bare_key(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// ---- files ---------------------------------------------------------------------------------

std::string staged(const RouteRequest& r, std::string_view node_path) {
    return r.prefix + std::string(node_path);
}

std::string node_path_of(const RouteRequest& r, std::string_view staged_path) {
    if (!r.prefix.empty() && staged_path.substr(0, r.prefix.size()) == r.prefix)
        staged_path.remove_prefix(r.prefix.size());
    return std::string(staged_path);
}

bool is_runcwrap_binary(const std::string& staged_path) {
    UniqueFd fd(::open(staged_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return false;
    std::string head(kMarkerProbeBytes, '\0');
    const ssize_t n = ::read(fd.get(), head.data(), head.size());
    if (n <= 0) return false;
    head.resize(static_cast<std::size_t>(n));
    return has_runcwrap_note(head);
}

// ---- the record (cli/route_record.hpp) ------------------------------------------------------

std::string record_path(const RouteRequest& r) { return r.state_dir + "/" + kRecordName; }

// Result<optional>: no record is not an error.
Result<std::optional<RouteRecord>> read_record(const RouteRequest& r) {
    int err = 0;
    auto text = read_file(staged(r, record_path(r)), &err);
    if (!text) {
        if (err == ENOENT) return std::optional<RouteRecord>{};
        return text.error();
    }
    auto record = parse_route_record(*text, staged(r, record_path(r)));
    if (!record) return record.error();
    return std::optional<RouteRecord>(std::move(*record));
}

std::string backup_path_for(const RouteRequest& r, const std::string& node_path) {
    std::string name = node_path.substr(1);
    std::replace(name.begin(), name.end(), '/', '+');
    return r.state_dir + "/backup/" + name;
}

// ---- what one run changes, computed before anything is written ------------------------------

struct FileChange {
    std::string path;  // staged
    std::string before;
    std::string after;
    bool exists = true;
};

struct EntryChange {
    std::string path;    // staged
    std::string target;  // node path of the binary
};

struct Plan {
    std::vector<EntryChange> entries;
    std::optional<FileChange> side_file;
    std::vector<FileChange> configs;
    std::vector<std::string> tables_written;  // rendered tables, for --dry-run
    RouteRecord record;
    std::vector<std::string> notes;  // said before the changes
};

bool plan_changes_anything(const Plan& plan) {
    return !plan.entries.empty() || plan.side_file || !plan.configs.empty();
}

std::string list(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::string config_label(const ContainerdConfig& cfg, const RouteRequest& r) {
    std::string label = node_path_of(r, cfg.files.front());
    if (cfg.files.size() > 1) {
        std::vector<std::string> imports;
        for (std::size_t i = 1; i < cfg.files.size(); ++i)
            imports.push_back(node_path_of(r, cfg.files[i]));
        label += " (with its imports " + list(imports) + ")";
    }
    return label;
}

// ---- route: choosing the handlers ------------------------------------------------------------

struct Chosen {
    const RuntimeHandler* handler = nullptr;
    std::string entry;  // node path
    RuntimeOptions recorded;
    bool already_routed = false;
};

// What the handler's BinaryName leads to, as the wrapper will see it.
enum class Leads { nothing, runcwrap, its_entry, other_entry, runtime };

Leads leads_to(const RouteRequest& r, const RuntimeHandler& h, const std::string& entry) {
    const std::string& bn = h.options.binary_name;
    if (bn.empty() || bn == kNextRuncInPath) return Leads::nothing;
    if (bn == entry) return Leads::its_entry;
    if (is_entry_path(bn)) return Leads::other_entry;
    if (bn[0] == '/' && is_runcwrap_binary(staged(r, bn))) return Leads::runcwrap;
    return Leads::runtime;
}

Result<std::vector<Chosen>> choose_handlers(const RouteRequest& r, const ContainerdConfig& cfg,
                                            std::ostream& out) {
    std::vector<std::string> names = r.handlers;
    if (r.all) {
        for (const auto& h : cfg.handlers) {
            if (h.builtin) continue;
            if (!is_runc_shim(h.runtime_type)) {
                out << "skipped handler \"" << h.name << "\": runtime_type " << h.runtime_type
                    << " is not containerd's runc shim\n";
                continue;
            }
            const Leads leads = leads_to(r, h, entry_path(r.entry_dir, h.name));
            if (leads == Leads::nothing || leads == Leads::runcwrap) {
                out << "skipped handler \"" << h.name
                    << "\": its BinaryName already leads to runcwrap ("
                    << (h.options.binary_name.empty() ? "unset: runc from PATH"
                                                      : h.options.binary_name)
                    << "); name it with --handler to record it anyway\n";
                continue;
            }
            names.push_back(h.name);
        }
    }
    std::vector<Chosen> chosen;
    for (const auto& name : names) {
        if (std::any_of(chosen.begin(), chosen.end(),
                        [&](const Chosen& c) { return c.handler->name == name; }))
            continue;
        if (!valid_handler_name(name))
            return make_error("handler name \"" + name +
                              "\" cannot be routed: runcwrap tells the handler from its entry's "
                              "path, which needs a name of [A-Za-z0-9][A-Za-z0-9._-]{0,62}");
        const RuntimeHandler* h = cfg.handler(name);
        if (!h || h->builtin) {
            std::vector<std::string> known;
            for (const auto& k : cfg.handlers)
                if (!k.builtin) known.push_back(k.name);
            return make_error(
                "no CRI runtime handler \"" + name + "\" in " + config_label(cfg, r) +
                (h ? " (it is containerd's built-in default, written in no file: write its "
                     "[plugins.\"" +
                         (cfg.cri_plugin.empty() ? std::string("...") : cfg.cri_plugin) +
                         "\".containerd.runtimes." + name + "] table first)"
                   : " (found: " + (known.empty() ? std::string("none") : list(known)) + ")"));
        }
        if (!is_runc_shim(h->runtime_type))
            return make_error("handler \"" + name + "\" has runtime_type " + h->runtime_type +
                              ", not containerd's runc shim (io.containerd.runc.v2): its shim "
                              "never runs runc, so runcwrap cannot route it");
        Chosen c{h, entry_path(r.entry_dir, name), h->options, false};
        switch (leads_to(r, *h, c.entry)) {
            case Leads::its_entry: c.already_routed = true; break;
            case Leads::other_entry:
                return make_error("handler \"" + name + "\"'s BinaryName " +
                                  h->options.binary_name +
                                  " is another handler's runcwrap entry; fix: set it back to "
                                  "the handler's runtime, then route again");
            case Leads::nothing:
            case Leads::runcwrap: c.recorded.binary_name = std::string(kNextRuncInPath); break;
            case Leads::runtime:
                if (!acceptable_binary_name(h->options.binary_name))
                    return make_error("handler \"" + name + "\"'s BinaryName \"" +
                                      h->options.binary_name +
                                      "\" is neither an absolute path nor a bare name");
                break;
        }
        chosen.push_back(std::move(c));
    }
    return chosen;
}

// The installed runcwrap: --binary, else <bin dir>/runcwrap that <bin dir>/runc links to.
Result<std::string> find_binary(const RouteRequest& r) {
    std::string binary = r.binary;
    if (binary.empty()) {
        std::string bin_dir = r.bin_dir;
        if (bin_dir.empty()) {
            if (auto manifest = read_file(staged(r, kInstallManifest))) {
                for (const auto& line : text_lines(*manifest))
                    if (line.text.substr(0, 8) == "bin-dir\t") {
                        bin_dir = std::string(line.text.substr(8));
                        while (!bin_dir.empty() && bin_dir.back() == '\n') bin_dir.pop_back();
                    }
            }
        }
        if (bin_dir.empty()) bin_dir = kDefaultBinDir;
        binary = bin_dir + "/runcwrap";
        const auto target = files::link_target(staged(r, bin_dir + "/runc"));
        if (!target || (*target != "runcwrap" && *target != binary))
            return make_error("no runcwrap installed in " + bin_dir + " (" + bin_dir +
                              "/runc is not a symlink to runcwrap); fix: run install.sh first, "
                              "or name the runcwrap binary with --binary PATH");
    }
    if (binary.empty() || binary[0] != '/')
        return make_error("--binary " + binary + " must be an absolute path");
    if (!is_runcwrap_binary(staged(r, binary)))
        return make_error(staged(r, binary) +
                          " is not runcwrap (no ELF note named runcwrap): the entries must lead "
                          "to runcwrap; fix: name the installed runcwrap with --binary PATH");
    return binary;
}

bool same_options(const RuntimeOptions& a, const RuntimeOptions& b) {
    return a.binary_name == b.binary_name && a.root == b.root &&
           a.systemd_cgroup == b.systemd_cgroup && a.no_pivot_root == b.no_pivot_root &&
           a.no_new_keyring == b.no_new_keyring;
}

// The wrapper's own reader must take the new side file and read each table back as recorded.
Status check_tables_read_back(const std::string& text, const std::string& path,
                              const std::vector<Chosen>& chosen) {
    auto parsed = parse_side_config(text, path);
    if (!parsed)
        return make_error(
            "the side file with the handlers' tables would not be read by "
            "runcwrap (nothing was written): " +
            parsed.error().message);
    for (const auto& c : chosen) {
        if (c.already_routed) continue;
        const HandlerRecord* h = parsed->handler(c.handler->name);
        if (!h || !same_options(h->options, c.recorded))
            return make_error(path + ": [handlers." + c.handler->name +
                              "] would not read back as written (nothing was written); fix: "
                              "remove the other table of that name from the side file");
    }
    return ok_status();
}

Result<Plan> plan_route(const RouteRequest& r, std::ostream& out) {
    auto cfg =
        load_containerd_config(staged(r, r.containerd_config), std::nullopt, false, r.prefix);
    if (!cfg) return cfg.error();
    auto chosen = choose_handlers(r, *cfg, out);
    if (!chosen) return chosen.error();
    if (chosen->empty()) return Plan{};
    auto binary = find_binary(r);
    if (!binary) return binary.error();

    Plan plan;
    const std::string side_path = staged(r, r.side_file);
    int side_errno = 0;
    auto side_text = read_file(side_path, &side_errno);
    if (!side_text)
        return make_error(side_errno == ENOENT
                              ? side_path +
                                    ": no side file; fix: install runcwrap first (install.sh), "
                                    "then route: the handlers' runtimes are recorded there"
                              : side_text.error().message);
    auto record = read_record(r);
    if (!record) return record.error();
    plan.record = record->value_or(RouteRecord{});
    plan.record.side_file = r.side_file;
    plan.record.entry_dir = r.entry_dir;
    plan.record.binary = *binary;

    std::vector<std::pair<std::string, std::string>> tables;
    // The config edits, grouped by the file that defines each handler.
    std::vector<std::pair<std::string, std::vector<const Chosen*>>> by_file;
    for (const auto& c : *chosen) {
        const std::string& name = c.handler->name;
        const std::string entry = staged(r, c.entry);
        const auto target = files::link_target(entry);
        if (!target && files::present(entry))
            return make_error(entry + " exists and is not a symlink; fix: remove it");
        if (!target || *target != *binary) plan.entries.push_back({entry, *binary});
        if (c.already_routed) {
            if (handler_table_in(*side_text, name).empty())
                return make_error("handler \"" + name + "\" is routed (BinaryName = " + c.entry +
                                  ") but " + side_path + " has no [handlers." + name +
                                  "] table; fix: set its BinaryName back to its runtime in "
                                  "containerd's config, then route again");
            continue;
        }
        tables.emplace_back(name, render_handler_table(name, c.recorded));
        auto file = file_defining_handler(*cfg, name);
        if (!file) return file.error();
        auto group = std::find_if(by_file.begin(), by_file.end(),
                                  [&](const auto& g) { return g.first == *file; });
        if (group == by_file.end()) group = by_file.insert(by_file.end(), {*file, {}});
        group->second.push_back(&c);
    }
    const std::string new_side = side_file_with_tables(*side_text, tables);
    if (new_side != *side_text) {
        if (auto st = check_tables_read_back(new_side, side_path, *chosen); !st) return st.error();
        plan.side_file = FileChange{side_path, *side_text, new_side};
    }
    for (const auto& t : tables) plan.tables_written.push_back(t.second);

    for (const auto& [file, handlers] : by_file) {
        auto text = read_file(file);
        if (!text) return text.error();
        std::vector<BinaryNameEdit> edits;
        for (const Chosen* c : handlers)
            edits.push_back({cfg->cri_plugin, c->handler->name, c->entry, false});
        auto edited = edit_binary_names(*text, file, edits);
        if (!edited) return edited.error();
        const std::string node_file = node_path_of(r, file);
        for (std::size_t i = 0; i < handlers.size(); ++i) {
            const Chosen& c = *handlers[i];
            auto in_file = binary_name_in_file(*text, file, cfg->cri_plugin, c.handler->name);
            if (!in_file) return in_file.error();
            auto& records = plan.record.handlers;
            records.erase(
                std::remove_if(records.begin(), records.end(),
                               [&](const RoutedHandler& h) { return h.name == c.handler->name; }),
                records.end());
            records.push_back({c.handler->name, node_file, cfg->cri_plugin, c.entry,
                               in_file->has_value(), in_file->value_or(""),
                               edited->options_table_added[i]});
        }
        RoutedFile* routed = plan.record.file(node_file);
        const std::string sha_now = sha256_hex(*text);
        if (!routed || routed->sha256_after != sha_now) {
            // First routing of this file, or edited since the last: the backup is this text
            // (undo restores it, then takes back the keys of earlier routings it still holds).
            if (!routed) routed = &plan.record.files.emplace_back();
            *routed = {node_file, backup_path_for(r, node_file), sha_now, ""};
        }
        routed->sha256_after = sha256_hex(edited->text);
        plan.configs.push_back({file, *text, edited->text});
    }
    std::vector<std::string> routed_already;
    for (const auto& c : *chosen)
        if (c.already_routed) routed_already.push_back(c.handler->name);
    if (!routed_already.empty())
        plan.notes.push_back("already routed through runcwrap: " + list(routed_already));
    return plan;
}

// ---- undo ----------------------------------------------------------------------------------

struct UndoPlan {
    RouteRecord record;
    std::vector<FileChange> configs;
    std::optional<FileChange> side_file;
    std::vector<std::string> entries;  // staged paths to remove
    std::vector<std::string> notes;
};

Result<UndoPlan> plan_undo(const RouteRequest& r, const RouteRecord& record) {
    UndoPlan plan{record, {}, {}, {}, {}};
    for (const auto& f : record.files) {
        const std::string path = staged(r, f.path);
        int err = 0;
        auto current = read_file(path, &err);
        if (!current) {
            plan.notes.push_back(path + ": " + current.error().message + "; left alone");
            continue;
        }
        const std::string sha_now = sha256_hex(*current);
        std::string base = *current;
        const bool unchanged_since = sha_now == f.sha256_after;
        if (unchanged_since) {
            auto backup = read_file(staged(r, f.backup));
            if (!backup) return backup.error();
            if (sha256_hex(*backup) != f.sha256_before)
                return make_error(staged(r, f.backup) + ": the backup of " + f.path +
                                  " does not match its record's sha256; nothing was changed");
            base = std::move(*backup);
        }
        std::vector<BinaryNameEdit> edits;
        std::vector<std::string> reverted, left;
        for (const auto& h : record.handlers) {
            if (h.file != f.path) continue;
            auto bn = binary_name_in_file(base, path, h.plugin, h.name);
            if (!bn) return bn.error();
            if (*bn == h.entry) {
                edits.push_back(
                    {h.plugin, h.name,
                     h.had_binary_name ? std::optional(h.binary_name_before) : std::nullopt,
                     h.options_table_added});
                reverted.push_back(h.name);
            } else if (!unchanged_since && bn->has_value()) {
                left.push_back(h.name + " (BinaryName = " + **bn + ", changed since routing)");
            }
        }
        auto edited = edit_binary_names(base, path, edits);
        if (!edited) return edited.error();
        if (edited->text == *current) {
            plan.notes.push_back(f.path + ": nothing to restore (already as before routing)");
            continue;
        }
        if (unchanged_since)
            plan.notes.push_back(f.path + ": restored byte for byte from " + f.backup);
        else
            plan.notes.push_back(f.path +
                                 ": changed since routing, so only runcwrap's own keys are "
                                 "taken back: the BinaryName of " +
                                 (reverted.empty() ? std::string("none") : list(reverted)) +
                                 "; every other change in it is kept");
        if (!left.empty()) plan.notes.push_back(f.path + ": left as they are now: " + list(left));
        plan.configs.push_back({path, *current, edited->text});
    }
    const std::string side_path = staged(r, record.side_file);
    if (auto side = read_file(side_path)) {
        std::vector<std::string> names;
        for (const auto& h : record.handlers) names.push_back(h.name);
        std::string without = side_file_without_tables(*side, names);
        if (without != *side) plan.side_file = FileChange{side_path, *side, without};
    }
    for (const auto& h : record.handlers)
        if (files::present(staged(r, h.entry))) plan.entries.push_back(staged(r, h.entry));
    return plan;
}

// ---- doing it ------------------------------------------------------------------------------

constexpr std::string_view kRestartNote =
    "containerd reads its config only when it starts: restart it to take this up "
    "(systemctl restart containerd, or `runcwrap route --restart-containerd`); containers "
    "already running keep the runtime they were started with.\n";

// sd_booted(3)'s test.
Status systemd_running() {
    struct stat st {};
    if (::stat("/run/systemd/system", &st) != 0 || !S_ISDIR(st.st_mode))
        return make_error(
            "--restart-containerd: systemd is not running here (no "
            "/run/systemd/system); restart containerd the way it was started, "
            "or leave out --restart-containerd");
    return ok_status();
}

Status restart_containerd(std::ostream& out) {
    if (auto st = systemd_running(); !st) return st;
    out << "restarting containerd: systemctl restart containerd\n";
    out.flush();
    const char* argv[] = {"systemctl", "restart", "containerd", nullptr};
    pid_t pid = 0;
    if (int e =
            ::posix_spawnp(&pid, "systemctl", nullptr, nullptr, const_cast<char**>(argv), environ);
        e != 0)
        return make_error("cannot run systemctl: " + errno_text(e));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return make_error("systemctl restart containerd failed (exit " +
                          std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                          "); see journalctl -u containerd");
    return ok_status();
}

void print_diff(const FileChange& change, const RouteRequest& r, std::ostream& out) {
    const std::string node = node_path_of(r, change.path);
    out << unified_diff(change.before, change.after, node, node);
}

Status write_file_change(const FileChange& change) {
    return files::edit_with_text(change.path, change.after, 0644);
}

int fail(std::ostream& err, const Error& e) {
    err << "runcwrap: " << e.message << "\n";
    return kRouteError;
}

int apply_route(const RouteRequest& r, Plan& plan, std::ostream& out, std::ostream& err) {
    // 1. The backups and the record: undo works from here on, whatever happens next.
    std::vector<std::string> created;
    if (auto st = files::make_folders(staged(r, r.state_dir + "/backup"), &created); !st)
        return fail(err, st.error());
    for (const auto& dir : created) plan.record.dirs.push_back(node_path_of(r, dir));
    for (const auto& change : plan.configs) {
        RoutedFile* f = plan.record.file(node_path_of(r, change.path));
        if (f->sha256_before != sha256_hex(change.before)) continue;  // kept from before
        if (auto st = files::edit_with_text(staged(r, f->backup), change.before, 0600); !st)
            return fail(err, st.error());
    }
    // 2. Entries, 3. their tables, 4. containerd's config.
    for (const auto& entry : plan.entries) {
        std::vector<std::string> made;
        if (auto st = files::make_folders(dirname_of(entry.path), &made); !st)
            return fail(err, st.error());
        for (const auto& dir : made) plan.record.dirs.push_back(node_path_of(r, dir));
    }
    if (auto st = files::edit_with_text(staged(r, record_path(r)), format_route_record(plan.record),
                                        0600);
        !st)
        return fail(err, st.error());
    for (const auto& entry : plan.entries) {
        if (auto st = files::replace_with_symlink(entry.path, entry.target, false); !st)
            return fail(err, st.error());
        out << "entry " << node_path_of(r, entry.path) << " -> " << entry.target << "\n";
    }
    if (plan.side_file) {
        if (auto st = write_file_change(*plan.side_file); !st) return fail(err, st.error());
        out << "recorded the handlers' runtimes in " << r.side_file << "\n";
    }
    for (const auto& change : plan.configs) {
        if (auto st = write_file_change(change); !st) return fail(err, st.error());
        out << "routed in " << node_path_of(r, change.path)
            << " (backup: " << plan.record.file(node_path_of(r, change.path))->backup << ")\n";
    }
    return kRouteOk;
}

int route(const RouteRequest& r, std::ostream& out, std::ostream& err) {
    auto plan = plan_route(r, out);
    if (!plan) return fail(err, plan.error());
    for (const auto& note : plan->notes) out << note << "\n";
    if (!plan_changes_anything(*plan)) {
        out << "nothing to change: every handler asked for already leads to runcwrap\n";
        return kRouteOk;
    }
    if (r.dry_run) {
        out << "dry run: nothing is changed. It would:\n";
        for (const auto& e : plan->entries)
            out << "create the entry " << node_path_of(r, e.path) << " -> " << e.target << "\n";
        if (plan->side_file) {
            out << "add to " << r.side_file << ":\n";
            for (const auto& t : plan->tables_written) out << t;
        }
        for (const auto& c : plan->configs) print_diff(c, r, out);
        return kRouteOk;
    }
    if (int rc = apply_route(r, *plan, out, err); rc != kRouteOk) return rc;
    if (!plan->configs.empty()) {
        out << kRestartNote;
        if (r.restart_containerd)
            if (auto st = restart_containerd(out); !st) return fail(err, st.error());
    }
    return kRouteOk;
}

// Containers whose shims still lead to the entries (runcwrap dependents).
Result<std::vector<Dependent>> dependents_now(const RouteRequest& r) {
    std::vector<std::string> chowned;
    if (auto side = read_file(staged(r, r.side_file)))
        if (auto settings = parse_side_config_settings(*side, r.side_file);
            settings && !settings->log_file.empty())
            for (const std::string& log : {settings->log_file + ".1", settings->log_file})
                if (auto text = read_file(staged(r, log)))
                    for (auto& id : chowned_ids_in_log(std::move(*text))) chowned.push_back(id);
    return find_dependents(staged(r, r.containerd_state), chowned,
                           staged(r, kContainerdDefaultRoot));
}

int undo(const RouteRequest& r, std::ostream& out, std::ostream& err) {
    auto record = read_record(r);
    if (!record) return fail(err, record.error());
    if (!*record) {
        out << "nothing to undo: no route record at " << record_path(r) << "\n";
        return kRouteOk;
    }
    auto plan = plan_undo(r, **record);
    if (!plan) return fail(err, plan.error());
    for (const auto& note : plan->notes) out << note << "\n";
    if (r.dry_run) {
        out << "dry run: nothing is changed. It would:\n";
        for (const auto& c : plan->configs) print_diff(c, r, out);
        if (plan->side_file) print_diff(*plan->side_file, r, out);
        for (const auto& e : plan->entries)
            out << "remove the entry " << node_path_of(r, e) << "\n";
        return kRouteOk;
    }
    // 1. containerd's config first: a restarted containerd no longer leads to the entries.
    for (const auto& change : plan->configs)
        if (auto st = write_file_change(change); !st) return fail(err, st.error());
    // 2. The tables and entries only once no container runs through them.
    auto dependents = dependents_now(r);
    if (!dependents) return fail(err, dependents.error());
    if (!dependents->empty()) {
        out << dependents_text(*dependents);
        if (!r.force) {
            err << "runcwrap: containerd's config is restored, but " << dependents->size()
                << " running container(s) (listed above) may still run through the entries: "
                   "kept the entries and the side file's [handlers.*] tables; stop and remove "
                   "them, then run `runcwrap route --undo` again (--force removes them anyway)\n";
            if (!plan->configs.empty()) out << kRestartNote;
            return kRouteKeptForDependents;
        }
        out << "--force: removing the entries and tables although the containers above may "
               "still use them: their later calls (exec, kill, delete) fail\n";
    }
    if (plan->side_file) {
        if (auto st = write_file_change(*plan->side_file); !st) return fail(err, st.error());
        out << "removed the [handlers.*] tables from " << r.side_file << "\n";
    }
    for (const auto& entry : plan->entries) {
        if (!files::link_target(entry)) {
            out << entry << " is no longer a symlink: left alone\n";
            continue;
        }
        if (::unlink(entry.c_str()) != 0)
            return fail(err, make_error("cannot remove " + entry + ": " + errno_text(errno)));
        ::rmdir(dirname_of(entry).c_str());  // NAME/: only when empty
        out << "removed the entry " << node_path_of(r, entry) << "\n";
    }
    for (const auto& f : plan->record.files) ::unlink(staged(r, f.backup).c_str());
    if (::unlink(staged(r, record_path(r)).c_str()) != 0 && errno != ENOENT)
        return fail(err, make_error("cannot remove " + staged(r, record_path(r)) + ": " +
                                    errno_text(errno)));
    // Innermost first; only the empty ones go.
    const std::vector<std::string>& dirs = plan->record.dirs;
    for (std::size_t i = dirs.size(); i-- > 0;) ::rmdir(staged(r, dirs[i]).c_str());
    out << "route undone\n";
    if (!plan->configs.empty()) {
        out << kRestartNote;
        if (r.restart_containerd)
            if (auto st = restart_containerd(out); !st) return fail(err, st.error());
    }
    return kRouteOk;
}

}  // namespace

bool is_runc_shim(std::string_view runtime_type) {
    return runtime_type.empty() || runtime_type == "io.containerd.runc.v2" ||
           runtime_type == "io.containerd.runc.v1";
}

bool valid_handler_name(std::string_view name) {
    auto alnum = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    };
    if (name.empty() || name.size() > 63 || !alnum(name[0])) return false;
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

std::string entry_path(std::string_view entry_dir, std::string_view handler) {
    std::string dir(entry_dir);
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir + "/" + std::string(handler) + "/runc";
}

bool is_entry_path(std::string_view path) {
    constexpr std::string_view kTail = "/runc";
    constexpr std::string_view kDir = "/runcwrap/handlers/";
    if (path.empty() || path[0] != '/' || path.size() <= kTail.size() ||
        path.substr(path.size() - kTail.size()) != kTail)
        return false;
    path.remove_suffix(kTail.size());
    const std::size_t slash = path.rfind('/');
    const std::string_view name = path.substr(slash + 1);
    path.remove_suffix(name.size());
    return valid_handler_name(name) && path.size() >= kDir.size() &&
           path.substr(path.size() - kDir.size()) == kDir;
}

std::string render_handler_table(std::string_view name, const RuntimeOptions& o) {
    std::string out = "[handlers." + (bare_key(name) ? std::string(name) : quoted(name)) + "]\n";
    out += "BinaryName = " + quoted(o.binary_name) + "\n";
    out += std::string("SystemdCgroup = ") + (o.systemd_cgroup ? "true" : "false") + "\n";
    if (!o.root.empty()) out += "Root = " + quoted(o.root) + "\n";
    if (o.no_pivot_root) out += "NoPivotRoot = true\n";
    if (o.no_new_keyring) out += "NoNewKeyring = true\n";
    return out;
}

std::string handler_table_in(std::string_view text, std::string_view name) {
    auto block = handler_block(text, name);
    return block ? std::string(text.substr(block->begin, block->end - block->begin)) : "";
}

std::string side_file_with_tables(std::string_view text_in,
                                  const std::vector<std::pair<std::string, std::string>>& tables) {
    std::string text(text_in);
    for (const auto& [name, table] : tables) {
        if (auto block = handler_block(text, name)) {
            std::string_view existing(text.data() + block->begin, block->end - block->begin);
            std::string replacement = table;
            if (!existing.empty() && existing.back() != '\n') replacement.pop_back();
            text.replace(block->begin, block->end - block->begin, replacement);
        } else if (auto last = last_handler_block(text)) {
            std::string insert = table;
            if (text[last->end - 1] != '\n') insert = "\n" + insert;
            text.insert(last->end, insert);
        } else {
            if (!text.empty() && text.back() != '\n') text += '\n';
            if (!text.empty()) text += '\n';
            text += std::string(kRouteComment) + table;
        }
    }
    return text;
}

std::string side_file_without_tables(std::string_view text_in,
                                     const std::vector<std::string>& names) {
    std::string text(text_in);
    for (const auto& name : names)
        if (auto block = handler_block(text, name))
            text.erase(block->begin, block->end - block->begin);
    if (last_handler_block(text)) return text;
    // No table left: route's comment goes too, with the blank line route put before it.
    const std::size_t at = text.find(kRouteComment);
    if (at == std::string::npos) return text;
    std::size_t from = at;
    if (from >= 2 && text[from - 1] == '\n' && text[from - 2] == '\n')
        from -= 1;
    else if (from == 1 && text[0] == '\n')
        from = 0;
    text.erase(from, at + kRouteComment.size() - from);
    return text;
}

int run_route(const RouteRequest& request, std::ostream& out, std::ostream& err) {
    RouteRequest r = request;
    while (r.prefix.size() > 1 && r.prefix.back() == '/') r.prefix.pop_back();
    if (r.prefix == "/") r.prefix.clear();
    if (!r.prefix.empty() && r.prefix[0] != '/') r.prefix = absolute_path(r.prefix);
    for (const std::string* path :
         {&r.containerd_config, &r.side_file, &r.entry_dir, &r.containerd_state, &r.state_dir})
        if (path->empty() || (*path)[0] != '/')
            return fail(
                err, make_error("\"" + *path + "\": route's paths are the node's: absolute paths"));
    if (r.restart_containerd && !r.prefix.empty())
        return fail(err, make_error("--restart-containerd with --prefix: the staged tree's "
                                    "containerd is not this machine's; restart it on the node"));
    // Before anything changes: a route that cannot restart containerd as asked changes nothing.
    if (r.restart_containerd && !r.dry_run)
        if (auto st = systemd_running(); !st) return fail(err, st.error());
    if (r.undo) {
        if (r.all || !r.handlers.empty())
            return fail(err, make_error("--undo takes back every routed handler: no --all or "
                                        "--handler with it"));
        return undo(r, out, err);
    }
    if (r.all == !r.handlers.empty())
        return fail(err, make_error("route takes --all or --handler NAME (one of them)"));
    return route(r, out, err);
}

}  // namespace runcwrap

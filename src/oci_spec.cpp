#include "oci_spec.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <string_view>

#include "json_util.hpp"

namespace runcwrap {
namespace {

std::optional<ProcessUser> user_of(const json::Value& process) {
    const json::Value* user = json::member(process, "user");
    if (!user) return std::nullopt;
    auto uid = json::uint32_member(*user, "uid");
    auto gid = json::uint32_member(*user, "gid");
    if (!uid || !gid) return std::nullopt;
    return ProcessUser{*uid, *gid};
}

std::optional<std::uint32_t> parse_id(std::string_view text) {
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

}  // namespace

namespace {

// config.json is read with RapidJSON's SAX reader: the handler keeps the handful of fields
// runcwrap needs and builds no document. A 9 KB config.json then costs one pass over its bytes
// and a few hundred bytes of state, instead of a DOM several times the file's size (every page of
// it a fault on the hot path). The result is the same as looking the fields up in a DOM: the
// first of duplicate keys wins, a value of the wrong type counts as absent, and the id-range
// lists fail as json::id_ranges does (tests/unit/oci_spec_test.cpp checks both agree).
class SpecHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, SpecHandler> {
public:
    // What a JSON container (object or array) is to runcwrap, found from its parent and key.
    enum class Role : std::uint8_t {
        Ignored, Root, Process, User, Annotations, Linux, Namespaces, NamespaceEntry,
        UidMappings, GidMappings, MappingEntry,
    };

    // Called for every scalar; returns true (keep parsing).
    bool Null() { return scalar(Scalar::Null); }
    bool Bool(bool b) {
        bool_value_ = b;
        return scalar(Scalar::Bool);
    }
    // An integer in 0..2^32-1 is a uint32, whichever callback the reader chose for it ("-0"
    // comes as Int), as RapidJSON's Value::IsUint() has it.
    bool Int(int i) { return i >= 0 ? Uint(static_cast<unsigned>(i)) : scalar(Scalar::Other); }
    bool Uint(unsigned u) {
        uint_value_ = u;
        return scalar(Scalar::Uint);
    }
    bool Int64(std::int64_t i) {
        return i >= 0 && i <= 0xFFFFFFFFLL ? Uint(static_cast<unsigned>(i)) : scalar(Scalar::Other);
    }
    bool Uint64(std::uint64_t u) {
        return u <= 0xFFFFFFFFULL ? Uint(static_cast<unsigned>(u)) : scalar(Scalar::Other);
    }
    bool Double(double) { return scalar(Scalar::Other); }
    bool String(const char* str, rapidjson::SizeType length, bool) {
        string_value_ = std::string_view(str, length);
        return scalar(Scalar::String);
    }
    bool Key(const char* str, rapidjson::SizeType length, bool) {
        key_ = std::string_view(str, length);
        return true;
    }
    bool StartObject() { return open(/*is_object=*/true); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool StartArray() { return open(/*is_object=*/false); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    Result<ContainerSpec> finish() {
        if (!root_is_object_) return make_error("the top level is not a JSON object");
        if (uid_error_) return make_error(*uid_error_);
        if (gid_error_) return make_error(*gid_error_);
        if (user_uid_ && user_gid_) spec_.process_user = ProcessUser{*user_uid_, *user_gid_};
        return std::move(spec_);
    }

private:
    enum class Scalar : std::uint8_t { Null, Bool, Uint, String, Other };

    // Keys whose first occurrence counts, one bit each within the object that holds them.
    enum Seen : std::uint8_t {
        kProcess = 1, kAnnotations = 2, kLinux = 4,                     // root
        kUser = 1, kTerminal = 2,                                       // process
        kUid = 1, kGid = 2,                                             // process.user
        kSandboxId = 1,                                                 // annotations
        kNamespaces = 1, kUidMappings = 2, kGidMappings = 4,            // linux
        kType = 1, kPath = 2,                                           // a namespace
        kContainerId = 1, kHostId = 2, kSize = 4,                       // a mapping
    };

    struct Frame {
        Role role = Role::Ignored;
        std::uint8_t seen = 0;
    };

    // Only the first few levels can hold a field runcwrap reads; deeper containers are counted,
    // not stored, so a deeply nested config.json costs no memory here.
    static constexpr std::size_t kMaxFrames = 8;

    Frame* top() { return depth_ > 0 && depth_ <= kMaxFrames ? &frames_[depth_ - 1] : nullptr; }

    // The first time `bit` is met in the current object: claim it. Later duplicates are ignored.
    bool first(std::uint8_t bit) {
        Frame* f = top();
        if (!f || (f->seen & bit)) return false;
        f->seen |= bit;
        return true;
    }

    // The role of a value about to start at the current position.
    Role child_role(bool is_object) {
        Frame* f = top();
        if (depth_ == 0) return is_object ? Role::Root : Role::Ignored;
        if (!f) return Role::Ignored;
        switch (f->role) {
            case Role::Root:
                if (key_ == "process" && first(kProcess)) return is_object ? Role::Process : Role::Ignored;
                if (key_ == "annotations" && first(kAnnotations))
                    return is_object ? Role::Annotations : Role::Ignored;
                if (key_ == "linux" && first(kLinux)) return is_object ? Role::Linux : Role::Ignored;
                return Role::Ignored;
            case Role::Process:
                if (key_ == "user" && first(kUser)) return is_object ? Role::User : Role::Ignored;
                if (key_ == "terminal") first(kTerminal);
                return Role::Ignored;
            case Role::User:
                if (key_ == "uid") first(kUid);
                if (key_ == "gid") first(kGid);
                return Role::Ignored;
            case Role::Annotations:
                if (key_ == kSandboxIdAnnotation) first(kSandboxId);
                return Role::Ignored;
            case Role::Linux:
                if (key_ == "namespaces" && first(kNamespaces))
                    return is_object ? Role::Ignored : Role::Namespaces;
                if (key_ == "uidMappings" && first(kUidMappings)) {
                    if (is_object) not_a_list(uid_error_, "linux.uidMappings");
                    return is_object ? Role::Ignored : Role::UidMappings;
                }
                if (key_ == "gidMappings" && first(kGidMappings)) {
                    if (is_object) not_a_list(gid_error_, "linux.gidMappings");
                    return is_object ? Role::Ignored : Role::GidMappings;
                }
                return Role::Ignored;
            case Role::Namespaces:
                if (is_object) {
                    entry_type_user_ = false;
                    entry_path_ = {};
                    return Role::NamespaceEntry;
                }
                return Role::Ignored;
            case Role::UidMappings:
            case Role::GidMappings:
                if (is_object) {
                    entry_ = {};
                    return Role::MappingEntry;
                }
                bad_entry(f->role);
                return Role::Ignored;
            case Role::NamespaceEntry:
                if (key_ == "type") first(kType);
                if (key_ == "path") first(kPath);
                return Role::Ignored;
            case Role::MappingEntry:
                if (key_ == "containerID") first(kContainerId);
                if (key_ == "hostID") first(kHostId);
                if (key_ == "size") first(kSize);
                return Role::Ignored;
            case Role::Ignored:
                return Role::Ignored;
        }
        return Role::Ignored;
    }

    bool open(bool is_object) {
        Role role = child_role(is_object);
        if (depth_ == 0) root_is_object_ = is_object;
        if (depth_ < kMaxFrames) frames_[depth_] = Frame{role, 0};
        // An ignored container holds nothing runcwrap reads, however deep it goes.
        ++depth_;
        return true;
    }

    bool close() {
        Frame* f = top();
        Role role = f ? f->role : Role::Ignored;
        --depth_;
        Frame* parent = top();
        if (role == Role::NamespaceEntry && entry_type_user_) {
            spec_.has_user_namespace = true;
            if (!entry_path_.empty()) spec_.user_namespace_path = std::string(entry_path_);
        }
        if (role == Role::MappingEntry && parent) {
            bool uid_list = parent->role == Role::UidMappings;
            if (entry_.container && entry_.host && entry_.size) {
                (uid_list ? spec_.uid_mappings : spec_.gid_mappings)
                    .push_back(IdRange{*entry_.container, *entry_.host, *entry_.size});
            } else {
                bad_entry(parent->role);
            }
        }
        return true;
    }

    bool scalar(Scalar kind) {
        if (depth_ == 0) return true;  // a bare scalar document: not an object
        Frame* f = top();
        if (!f) return true;
        switch (f->role) {
            case Role::Process:
                if (key_ == "terminal" && first(kTerminal) && kind == Scalar::Bool)
                    spec_.terminal = bool_value_;
                if (key_ == "user") first(kUser);
                break;
            case Role::User:
                if (key_ == "uid" && first(kUid) && kind == Scalar::Uint) user_uid_ = uint_value_;
                if (key_ == "gid" && first(kGid) && kind == Scalar::Uint) user_gid_ = uint_value_;
                break;
            case Role::Annotations:
                if (key_ == kSandboxIdAnnotation && first(kSandboxId) && kind == Scalar::String)
                    spec_.sandbox_id = std::string(string_value_);
                break;
            case Role::Root:
                if (key_ == "process") first(kProcess);
                if (key_ == "annotations") first(kAnnotations);
                if (key_ == "linux") first(kLinux);
                break;
            case Role::Linux:
                if (key_ == "namespaces") first(kNamespaces);
                if (key_ == "uidMappings" && first(kUidMappings) && kind != Scalar::Null)
                    not_a_list(uid_error_, "linux.uidMappings");
                if (key_ == "gidMappings" && first(kGidMappings) && kind != Scalar::Null)
                    not_a_list(gid_error_, "linux.gidMappings");
                break;
            case Role::NamespaceEntry:
                if (key_ == "type" && first(kType))
                    entry_type_user_ = kind == Scalar::String && string_value_ == "user";
                if (key_ == "path" && first(kPath) && kind == Scalar::String)
                    entry_path_ = string_value_;
                break;
            case Role::MappingEntry: {
                std::optional<std::uint32_t> value;
                if (kind == Scalar::Uint) value = uint_value_;
                if (key_ == "containerID" && first(kContainerId)) entry_.container = value;
                if (key_ == "hostID" && first(kHostId)) entry_.host = value;
                if (key_ == "size" && first(kSize)) entry_.size = value;
                break;
            }
            case Role::UidMappings:
            case Role::GidMappings:
                bad_entry(f->role);
                break;
            case Role::Namespaces:
            case Role::Ignored:
                break;
        }
        return true;
    }

    static void not_a_list(std::optional<std::string>& error, std::string_view what) {
        if (!error) error = std::string(what) + " is not a list";
    }
    void bad_entry(Role list) {
        bool uid_list = list == Role::UidMappings;
        auto& error = uid_list ? uid_error_ : gid_error_;
        if (!error)
            error = std::string(uid_list ? "linux.uidMappings" : "linux.gidMappings") +
                    " has an entry without numeric containerID, hostID and size";
    }

    ContainerSpec spec_;
    std::array<Frame, kMaxFrames> frames_{};
    std::size_t depth_ = 0;
    bool root_is_object_ = false;
    std::string_view key_;
    bool bool_value_ = false;
    unsigned uint_value_ = 0;
    std::string_view string_value_;
    std::optional<std::uint32_t> user_uid_, user_gid_;
    bool entry_type_user_ = false;
    std::string_view entry_path_;
    struct {
        std::optional<std::uint32_t> container, host, size;
    } entry_;
    std::optional<std::string> uid_error_, gid_error_;
};

}  // namespace

Result<ContainerSpec> parse_container_spec(std::string& text) {
    SpecHandler handler;
    // The reader's own stack (one entry per open container) starts in a small buffer here.
    alignas(16) char stack_buffer[1024];
    json::PoolAllocator stack_pool(stack_buffer, sizeof stack_buffer);
    rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, json::PoolAllocator> reader(
        &stack_pool, 256);
    rapidjson::InsituStringStream stream(text.data());
    rapidjson::ParseResult parsed = reader.Parse<json::kParseFlags>(stream, handler);
    if (parsed.IsError())
        return make_error(std::string(rapidjson::GetParseError_En(parsed.Code())) + " at offset " +
                          std::to_string(parsed.Offset()));
    return handler.finish();
}

Result<ProcessUser> parse_process_user(std::string& text) {
    json::Document document;
    if (auto st = json::parse_in_place(document, text); !st) return st.error();
    const json::Value& doc = document.get();
    auto user = user_of(doc);
    if (!user) return make_error("it has no numeric user.uid and user.gid");
    return *user;
}

std::optional<ProcessUser> parse_user_flag(std::string_view value, ProcessUser fallback) {
    auto colon = value.find(':');
    auto uid = parse_id(value.substr(0, colon));
    if (!uid) return std::nullopt;
    // runc exec -u UID keeps the gid of the container's own process (getProcess in exec.go).
    ProcessUser user{*uid, fallback.gid};
    if (colon != std::string_view::npos) {
        auto gid = parse_id(value.substr(colon + 1));
        if (!gid) return std::nullopt;
        user.gid = *gid;
    }
    return user;
}

}  // namespace runcwrap

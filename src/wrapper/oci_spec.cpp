#include "wrapper/oci_spec.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <string_view>

#include "common/json_util.hpp"

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
    bool Null() { return value(Kind::Null); }
    bool Bool(bool b) {
        bool_value_ = b;
        return value(Kind::Bool);
    }
    // An integer in 0..2^32-1 is a uint32, whichever callback the reader chose for it ("-0"
    // comes as Int), as RapidJSON's Value::IsUint() has it.
    bool Int(int i) { return i >= 0 ? Uint(static_cast<unsigned>(i)) : value(Kind::Other); }
    bool Uint(unsigned u) {
        uint_value_ = u;
        return value(Kind::Uint);
    }
    bool Int64(std::int64_t i) {
        return i >= 0 && i <= 0xFFFFFFFFLL ? Uint(static_cast<unsigned>(i)) : value(Kind::Other);
    }
    bool Uint64(std::uint64_t u) {
        return u <= 0xFFFFFFFFULL ? Uint(static_cast<unsigned>(u)) : value(Kind::Other);
    }
    bool Double(double) { return value(Kind::Other); }
    bool String(const char* str, rapidjson::SizeType length, bool) {
        string_value_ = std::string_view(str, length);
        return value(Kind::String);
    }
    bool Key(const char* str, rapidjson::SizeType length, bool) {
        key_ = std::string_view(str, length);
        return true;
    }
    bool StartObject() { return value(Kind::Object); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool StartArray() { return value(Kind::Array); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    Result<ContainerSpec> finish() {
        if (!root_is_object_) return make_error("the top level is not a JSON object");
        if (uid_error_) return make_error(*uid_error_);
        if (gid_error_) return make_error(*gid_error_);
        if (user_uid_ && user_gid_) spec_.process_user = ProcessUser{*user_uid_, *user_gid_};
        return std::move(spec_);
    }

  private:
    enum class Kind : std::uint8_t { Null, Bool, Uint, String, Other, Object, Array };

    // What a JSON container is to runcwrap, found from its parent and the key it sits under.
    enum class Role : std::uint8_t {
        Ignored,
        Root,
        Process,
        User,
        Annotations,
        Linux,
        Namespaces,
        NamespaceEntry,
        UidMappings,
        GidMappings,
        MappingEntry,
    };

    // The fields runcwrap reads, each in the object (Role) that holds it.
    enum class Field : std::uint8_t {
        None,
        Process,
        Annotations,
        Linux,
        User,
        Terminal,
        Uid,
        Gid,
        SandboxId,
        Namespaces,
        UidMappings,
        GidMappings,
        Type,
        Path,
        ContainerId,
        HostId,
        Size,
    };

    struct Frame {
        Role role = Role::Ignored;
        std::uint32_t seen = 0;  // one bit per Field met in this object: the first one counts
    };

    // Only the first few levels can hold a field runcwrap reads; deeper containers are counted,
    // not stored, so a deeply nested config.json costs no memory here.
    static constexpr std::size_t kMaxFrames = 8;

    Frame* top() { return depth_ > 0 && depth_ <= kMaxFrames ? &frames_[depth_ - 1] : nullptr; }

    static Field field_of(Role holder, std::string_view key) {
        switch (holder) {
            case Role::Root:
                if (key == "process") return Field::Process;
                if (key == "annotations") return Field::Annotations;
                if (key == "linux") return Field::Linux;
                return Field::None;
            case Role::Process:
                if (key == "user") return Field::User;
                if (key == "terminal") return Field::Terminal;
                return Field::None;
            case Role::User:
                if (key == "uid") return Field::Uid;
                if (key == "gid") return Field::Gid;
                return Field::None;
            case Role::Annotations:
                return key == kSandboxIdAnnotation ? Field::SandboxId : Field::None;
            case Role::Linux:
                if (key == "namespaces") return Field::Namespaces;
                if (key == "uidMappings") return Field::UidMappings;
                if (key == "gidMappings") return Field::GidMappings;
                return Field::None;
            case Role::NamespaceEntry:
                if (key == "type") return Field::Type;
                if (key == "path") return Field::Path;
                return Field::None;
            case Role::MappingEntry:
                if (key == "containerID") return Field::ContainerId;
                if (key == "hostID") return Field::HostId;
                if (key == "size") return Field::Size;
                return Field::None;
            default: return Field::None;
        }
    }

    // The field the current key names in the current object, the first time it is met there;
    // None for anything else (unknown keys, duplicates, array elements, ignored containers).
    Field claim_field() {
        Frame* f = top();
        if (!f) return Field::None;
        const Field field = field_of(f->role, key_);
        const std::uint32_t bit = 1u << static_cast<unsigned>(field);
        if (field == Field::None || (f->seen & bit)) return Field::None;
        f->seen |= bit;
        return field;
    }

    // Every value, container or scalar, at the current position.
    bool value(Kind kind) {
        Role opened = Role::Ignored;
        Frame* f = top();
        if (depth_ == 0) {
            root_is_object_ = kind == Kind::Object;
            if (root_is_object_) opened = Role::Root;
        } else if (f && (f->role == Role::Namespaces) && kind == Kind::Object) {
            entry_type_user_ = false;
            entry_path_ = {};
            opened = Role::NamespaceEntry;
        } else if (f && (f->role == Role::UidMappings || f->role == Role::GidMappings)) {
            if (kind == Kind::Object) {
                entry_ = {};
                opened = Role::MappingEntry;
            } else {
                bad_entry(f->role);
            }
        } else {
            opened = take(claim_field(), kind);
        }
        if (kind == Kind::Object || kind == Kind::Array) {
            if (depth_ < kMaxFrames) frames_[depth_] = Frame{opened, 0};
            ++depth_;  // an ignored container holds nothing runcwrap reads, however deep
        }
        return true;
    }

    // Keeps `field`'s value; returns the role of the container it opens, if it opens one.
    Role take(Field field, Kind kind) {
        const bool object = kind == Kind::Object;
        switch (field) {
            case Field::Process: return object ? Role::Process : Role::Ignored;
            case Field::Annotations: return object ? Role::Annotations : Role::Ignored;
            case Field::Linux: return object ? Role::Linux : Role::Ignored;
            case Field::User: return object ? Role::User : Role::Ignored;
            case Field::Namespaces: return kind == Kind::Array ? Role::Namespaces : Role::Ignored;
            case Field::UidMappings:
            case Field::GidMappings: {
                const bool uid = field == Field::UidMappings;
                if (kind == Kind::Array) return uid ? Role::UidMappings : Role::GidMappings;
                if (kind != Kind::Null)
                    not_a_list(uid ? uid_error_ : gid_error_,
                               uid ? "linux.uidMappings" : "linux.gidMappings");
                return Role::Ignored;
            }
            case Field::Terminal:
                if (kind == Kind::Bool) spec_.terminal = bool_value_;
                break;
            case Field::Uid:
                if (kind == Kind::Uint) user_uid_ = uint_value_;
                break;
            case Field::Gid:
                if (kind == Kind::Uint) user_gid_ = uint_value_;
                break;
            case Field::SandboxId:
                if (kind == Kind::String) spec_.sandbox_id = std::string(string_value_);
                break;
            case Field::Type:
                entry_type_user_ = kind == Kind::String && string_value_ == "user";
                break;
            case Field::Path:
                if (kind == Kind::String) entry_path_ = string_value_;
                break;
            case Field::ContainerId:
            case Field::HostId:
            case Field::Size: {
                std::optional<std::uint32_t> id;
                if (kind == Kind::Uint) id = uint_value_;
                (field == Field::ContainerId ? entry_.container
                 : field == Field::HostId    ? entry_.host
                                             : entry_.size) = id;
                break;
            }
            case Field::None: break;
        }
        return Role::Ignored;
    }

    bool close() {
        Frame* f = top();
        const Role role = f ? f->role : Role::Ignored;
        --depth_;
        Frame* parent = top();
        if (role == Role::NamespaceEntry && entry_type_user_) {
            spec_.has_user_namespace = true;
            if (!entry_path_.empty()) spec_.user_namespace_path = std::string(entry_path_);
        }
        if (role == Role::MappingEntry && parent) {
            if (entry_.container && entry_.host && entry_.size) {
                (parent->role == Role::UidMappings ? spec_.uid_mappings : spec_.gid_mappings)
                    .push_back(IdRange{*entry_.container, *entry_.host, *entry_.size});
            } else {
                bad_entry(parent->role);
            }
        }
        return true;
    }

    static void not_a_list(std::optional<std::string>& error, std::string_view what) {
        if (!error) error = std::string(what) + " is not a list";
    }
    void bad_entry(Role list) {
        const bool uid_list = list == Role::UidMappings;
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

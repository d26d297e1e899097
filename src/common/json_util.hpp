// Small helpers over RapidJSON shared by the readers of process.json, state.json and
// options.json. Parsing is in situ (no copies of strings) and iterative (a deeply nested
// document cannot exhaust the stack). Nothing here throws.
#pragma once

#ifndef RAPIDJSON_HAS_STDSTRING
#define RAPIDJSON_HAS_STDSTRING 1
#endif
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "wrapper/idmap.hpp"

namespace runcwrap::json {

using Value = rapidjson::Value;

constexpr unsigned kParseFlags = rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag;

using PoolAllocator = rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>;

// A document whose nodes and parse stack live in buffers on the caller's stack: a small file
// parses with no heap allocation at all (RapidJSON's default would map a fresh 64 KiB
// chunk per document, and every page touched costs a fault on the hot path). A larger document
// spills over into ordinary heap chunks, so the sizes bound only what is free, never what parses.
template <std::size_t kValueBytes, std::size_t kStackBytes>
class BasicDocument {
  public:
    // The buffers are raw memory for the pools: nothing to initialise.
    // cppcheck-suppress uninitMemberVar
    BasicDocument()
        : values_(value_buffer_, sizeof value_buffer_),
          stack_(stack_buffer_, sizeof stack_buffer_),
          doc_(&values_, kStackBytes, &stack_) {}
    BasicDocument(const BasicDocument&) = delete;
    BasicDocument& operator=(const BasicDocument&) = delete;

    using Impl = rapidjson::GenericDocument<rapidjson::UTF8<>, PoolAllocator, PoolAllocator>;
    Impl& get() { return doc_; }

  private:
    // The pools keep their chunk header inside the buffer, so each buffer is larger than what
    // is asked of it (else the first allocation already spills into a 64 KiB heap chunk).
    // The parse stack grows by half each time, in place while it fits its buffer.
    alignas(16) char value_buffer_[kValueBytes];
    alignas(16) char stack_buffer_[std::size_t{4} * kStackBytes];
    PoolAllocator values_;
    PoolAllocator stack_;
    Impl doc_;
};

// Sized for a --process file and a small state.json; config.json, the large one, is read
// without a document (oci_spec.cpp).
using Document = BasicDocument<std::size_t{8} * 1024, std::size_t{1} * 1024>;

// Sized for options.json, a flat object of a dozen keys (32 bytes of nodes each), read twice on
// the hot path: 12 KiB of buffers there reached three stack pages deeper than the rest of a
// call, each one a fresh page to fault in.
using SmallDocument = BasicDocument<std::size_t{1} * 1024, std::size_t{256}>;

// Parses `text` in place (it is modified and must outlive the document).
template <std::size_t kValueBytes, std::size_t kStackBytes>
Status parse_in_place(BasicDocument<kValueBytes, kStackBytes>& document, std::string& text) {
    auto& doc = document.get();
    doc.template ParseInsitu<kParseFlags>(text.data());
    if (doc.HasParseError())
        return make_error(std::string(rapidjson::GetParseError_En(doc.GetParseError())) +
                          " at offset " + std::to_string(doc.GetErrorOffset()));
    if (!doc.IsObject()) return make_error("the top level is not a JSON object");
    return ok_status();
}

inline const Value* member(const Value& object, const char* name) {
    if (!object.IsObject()) return nullptr;
    auto it = object.FindMember(name);
    return it == object.MemberEnd() ? nullptr : &it->value;
}

inline std::optional<std::string_view> string_member(const Value& object, const char* name) {
    const Value* v = member(object, name);
    if (!v || !v->IsString()) return std::nullopt;
    return std::string_view(v->GetString(), v->GetStringLength());
}

inline std::optional<bool> bool_member(const Value& object, const char* name) {
    const Value* v = member(object, name);
    if (!v || !v->IsBool()) return std::nullopt;
    return v->GetBool();
}

inline std::optional<std::uint32_t> uint32_member(const Value& object, const char* name) {
    const Value* v = member(object, name);
    if (!v || !v->IsUint()) return std::nullopt;
    return v->GetUint();
}

// A list of id ranges; `container`, `host`, `size` name the keys (OCI: containerID/hostID/size,
// runc state.json: container_id/host_id/size). A malformed entry makes the whole list invalid.
inline Result<IdMappings> id_ranges(const Value* list, const char* container, const char* host,
                                    std::string_view what) {
    IdMappings ranges;
    if (!list || list->IsNull()) return ranges;
    if (!list->IsArray()) return make_error(std::string(what) + " is not a list");
    for (const auto& entry : list->GetArray()) {
        auto c = uint32_member(entry, container);
        auto h = uint32_member(entry, host);
        auto s = uint32_member(entry, "size");
        if (!c || !h || !s)
            return make_error(std::string(what) + " has an entry without numeric " + container +
                              ", " + host + " and size");
        ranges.push_back(IdRange{*c, *h, *s});
    }
    return ranges;
}

}  // namespace runcwrap::json

#include "wrapper/shim_options.hpp"

#include <array>
#include <string_view>

#include "common/json_util.hpp"

namespace runcwrap {

Result<ShimOptions> parse_shim_options(std::string& text) {
    json::SmallDocument document;
    if (auto st = json::parse_in_place(document, text); !st) return st.error();
    const json::Value& doc = document.get();

    static constexpr std::array<std::string_view, 4> kRuntimeKeys{"binary_name", "root",
                                                                  "systemd_cgroup", "criu_path"};
    ShimOptions shim;
    for (const auto& m : doc.GetObject()) {
        std::string_view key(m.name.GetString(), m.name.GetStringLength());
        bool runtime_key = false;
        for (auto k : kRuntimeKeys) runtime_key = runtime_key || k == key;
        (runtime_key ? shim.has_runtime_keys : shim.has_task_keys) = true;
    }
    auto text_of = [&](const char* key, std::string& out) -> Status {
        const json::Value* v = json::member(doc, key);
        if (!v) return ok_status();
        if (!v->IsString()) return make_error(std::string("\"") + key + "\" is not a string");
        out.assign(v->GetString(), v->GetStringLength());
        return ok_status();
    };
    auto flag_of = [&](const char* key, bool& out) -> Status {
        const json::Value* v = json::member(doc, key);
        if (!v) return ok_status();
        if (!v->IsBool()) return make_error(std::string("\"") + key + "\" is not a boolean");
        out = v->GetBool();
        return ok_status();
    };
    RuntimeOptions& o = shim.options;
    for (const Status& st :
         {text_of("binary_name", o.binary_name), text_of("root", o.root),
          flag_of("systemd_cgroup", o.systemd_cgroup), flag_of("no_pivot_root", o.no_pivot_root),
          flag_of("no_new_keyring", o.no_new_keyring)})
        if (!st) return st.error();
    return shim;
}

}  // namespace runcwrap

#include "wrapper/runc_state.hpp"

#include "common/json_util.hpp"

namespace runcwrap {

Result<RuncState> parse_runc_state(std::string& text) {
    json::Document document;
    if (auto st = json::parse_in_place(document, text); !st) return st.error();
    const json::Value& doc = document.get();
    RuncState state;
    if (const json::Value* pid = json::member(doc, "init_process_pid"); pid && pid->IsInt())
        state.init_pid = pid->GetInt();
    const json::Value* config = json::member(doc, "config");
    if (!config) return state;
    if (const json::Value* labels = json::member(*config, "labels"); labels && labels->IsArray()) {
        for (const auto& label : labels->GetArray()) {
            if (!label.IsString()) continue;
            std::string_view text_label(label.GetString(), label.GetStringLength());
            if (text_label.substr(0, 7) == "bundle=")
                state.bundle = std::string(text_label.substr(7));
        }
    }
    auto uids = json::id_ranges(json::member(*config, "uid_mappings"), "container_id", "host_id",
                                "config.uid_mappings");
    if (!uids) return uids.error();
    auto gids = json::id_ranges(json::member(*config, "gid_mappings"), "container_id", "host_id",
                                "config.gid_mappings");
    if (!gids) return gids.error();
    state.uid_mappings = std::move(*uids);
    state.gid_mappings = std::move(*gids);
    return state;
}

}  // namespace runcwrap

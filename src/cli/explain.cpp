#include "cli/explain.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace runcwrap {
namespace {

std::string quoted_argv(const std::string& argv0, const std::vector<std::string>& args) {
    std::string out = argv0;
    for (const auto& a : args) {
        out += ' ';
        bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`") == std::string::npos;
        out += plain ? a : "'" + a + "'";
    }
    return out;
}

std::string original_argv(const RuncCall& call) {
    std::string out;
    for (std::size_t i = 0; i < call.argv.size(); ++i) {
        if (i) out += ' ';
        out += call.argv[i];
    }
    return out;
}

}  // namespace

std::string explain_text(const RuncCall& call, const Result<Plan>& plan) {
    std::string out;
    out += "call:      " + original_argv(call) + "\n";
    if (!call.problems.empty())
        for (const auto& p : call.problems) out += "note:      " + p + " (passed through)\n";
    if (!plan) {
        out += "outcome:   error (nothing is run)\n";
        out += "error:     runcwrap: " + plan.error().message + "\n";
        return out;
    }
    const Plan& p = *plan;
    out += "side file: " + p.side_path + (p.side ? "" : " (absent)") + "\n";
    out += "bundle:    " +
           (p.bundle.empty() ? std::string("none") : p.bundle + " (from " + p.bundle_source + ")") +
           "\n";
    out += "case:      " + std::string(scenario_name(p.decision.scenario)) + "\n";
    out += "why:       " + p.decision.reason + "\n";
    out += "runtime:   " + p.runtime.path + (p.runtime.is_script ? " (script)" : "") + " (from " +
           p.runtime.source + ")\n";
    for (const auto& s : p.runtime.skipped) out += "skipped:   " + s + "\n";
    if (p.decision.restore_from) {
        out += "restored:  ";
        if (p.decision.restored.empty()) out += "nothing (the call already has every option)";
        for (std::size_t i = 0; i < p.decision.restored.size(); ++i)
            out += (i ? ", " : "") + p.decision.restored[i];
        out += " (from " + p.decision.restore_source + ")\n";
    } else {
        out += "restored:  nothing (no options were dropped)\n";
    }
    out += "stdio:     " + std::string(p.stdio.applies ? "chown: " : "no chown: ") +
           p.stdio.reason + "\n";
    if (p.stdio.applies) {
        out += "user:      " + std::to_string(p.stdio.user->uid) + ":" +
               std::to_string(p.stdio.user->gid) + " (" + p.stdio.user_source + ")\n";
        out += "mappings:  uid " + describe(p.stdio.uid_mappings) + "; gid " +
               describe(p.stdio.gid_mappings) + " (" + p.stdio.mappings_source + ")\n";
        for (const auto& fd : p.stdio.fds)
            out += "  fd " + std::to_string(fd.fd) + ":    " + stdio_kind_name(fd.kind) +
                   (fd.target.empty() ? "" : " " + fd.target) + ": " + fd.note + "\n";
    }
    out += "exec:      " + quoted_argv(p.runtime.argv0, p.decision.args) + "\n";
    return out;
}

std::string explain_json(const RuncCall& call, const Result<Plan>& plan) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    auto str = [&](const std::string& s) {
        w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
    };
    auto key = [&](const char* k) { w.Key(k); };
    w.StartObject();
    key("argv");
    w.StartArray();
    for (auto a : call.argv) str(std::string(a));
    w.EndArray();
    key("problems");
    w.StartArray();
    for (const auto& p : call.problems) str(p);
    w.EndArray();
    key("ok");
    w.Bool(plan.ok());
    if (!plan) {
        key("error");
        str("runcwrap: " + plan.error().message);
        w.EndObject();
        return std::string(buffer.GetString()) + "\n";
    }
    const Plan& p = *plan;
    key("side_file");
    str(p.side_path);
    key("side_file_present");
    w.Bool(p.side.has_value());
    key("bundle");
    str(p.bundle);
    key("bundle_source");
    str(p.bundle_source);
    key("case");
    str(scenario_name(p.decision.scenario));
    key("reason");
    str(p.decision.reason);
    key("runtime");
    w.StartObject();
    key("path");
    str(p.runtime.path);
    key("argv0");
    str(p.runtime.argv0);
    key("source");
    str(p.runtime.source);
    key("script");
    w.Bool(p.runtime.is_script);
    key("skipped");
    w.StartArray();
    for (const auto& s : p.runtime.skipped) str(s);
    w.EndArray();
    w.EndObject();
    key("restore_source");
    str(p.decision.restore_source);
    key("restored");
    w.StartArray();
    for (const auto& r : p.decision.restored) str(r);
    w.EndArray();
    key("stdio");
    w.StartObject();
    key("chown");
    w.Bool(p.stdio.applies);
    key("reason");
    str(p.stdio.reason);
    if (p.stdio.user) {
        key("user");
        w.StartObject();
        key("uid");
        w.Uint(p.stdio.user->uid);
        key("gid");
        w.Uint(p.stdio.user->gid);
        key("source");
        str(p.stdio.user_source);
        w.EndObject();
    }
    if (p.stdio.host_uid && p.stdio.host_gid) {
        key("host");
        w.StartObject();
        key("uid");
        w.Uint(*p.stdio.host_uid);
        key("gid");
        w.Uint(*p.stdio.host_gid);
        w.EndObject();
    }
    key("fds");
    w.StartArray();
    for (const auto& fd : p.stdio.fds) {
        w.StartObject();
        key("fd");
        w.Int(fd.fd);
        key("kind");
        str(stdio_kind_name(fd.kind));
        key("target");
        str(fd.target);
        key("uid");
        w.Uint(fd.uid);
        key("gid");
        w.Uint(fd.gid);
        key("chown");
        w.Bool(fd.chown);
        key("note");
        str(fd.note);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    key("exec");
    w.StartArray();
    str(p.runtime.argv0);
    for (const auto& a : p.decision.args) str(a);
    w.EndArray();
    w.EndObject();
    return std::string(buffer.GetString()) + "\n";
}

}  // namespace runcwrap

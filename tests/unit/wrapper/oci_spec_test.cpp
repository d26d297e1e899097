// config.json, exec's --process file, runc's state.json and `runc exec --user`: the inputs of
// the stdio-ownership decision and of the bundle search.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "container_spec_reference.hpp"
#include "samples.hpp"
#include "wrapper/oci_spec.hpp"
#include "wrapper/runc_state.hpp"

namespace runcwrap {
namespace {

namespace fs = std::filesystem;

using testing::samples_dir;

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

Result<ContainerSpec> spec_of(std::string text) { return parse_container_spec(text); }
Result<ProcessUser> process_user_of(std::string text) { return parse_process_user(text); }
Result<RuncState> state_of(std::string text) { return parse_runc_state(text); }

void expect_ranges(const IdMappings& got, const IdMappings& want) {
    ASSERT_EQ(got.size(), want.size()) << describe(got);
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got[i].container_id, want[i].container_id) << i;
        EXPECT_EQ(got[i].host_id, want[i].host_id) << i;
        EXPECT_EQ(got[i].size, want[i].size) << i;
    }
}

// ---- config.json -----------------------------------------------------------------------------

TEST(OciSpec, SampleConfigWithUserNamespace) {
    const fs::path path = samples_dir() / "config.json";
    ASSERT_TRUE(fs::is_regular_file(path)) << path << " (set SAMPLES_DIR)";
    auto spec = spec_of(slurp(path));
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_TRUE(spec->has_user_namespace);
    EXPECT_FALSE(spec->user_namespace_path);
    expect_ranges(spec->uid_mappings, {{0, 100000, 65536}});
    expect_ranges(spec->gid_mappings, {{0, 100000, 65536}});
    ASSERT_TRUE(spec->process_user);
    EXPECT_EQ(spec->process_user->uid, 0u);
    EXPECT_EQ(spec->process_user->gid, 0u);
    EXPECT_FALSE(spec->terminal);
    EXPECT_FALSE(spec->sandbox_id);
}

TEST(OciSpec, EverySampleCreateConfig) {
    // c, c0, c3: no user namespace (--rootfs or no uidmap); c2, d, e: a user namespace mapped
    // 0 -> 100000 (65536); e is the tty case.
    struct Want {
        const char* dir;
        bool userns;
        bool terminal;
    };
    for (auto [dir, userns, terminal] :
         {Want{"c", false, false}, Want{"c0", false, false}, Want{"c2", true, false},
          Want{"c3", false, false}, Want{"d", true, false}, Want{"e", true, true}}) {
        SCOPED_TRACE(dir);
        const fs::path path = samples_dir() / dir / "01-create-config.json";
        ASSERT_TRUE(fs::is_regular_file(path)) << path;
        auto spec = spec_of(slurp(path));
        ASSERT_TRUE(spec) << spec.error().message;
        EXPECT_EQ(spec->has_user_namespace, userns);
        EXPECT_FALSE(spec->user_namespace_path);
        EXPECT_EQ(spec->terminal, terminal);
        ASSERT_TRUE(spec->process_user);
        EXPECT_EQ(spec->process_user->uid, 0u);
        EXPECT_EQ(spec->process_user->gid, 0u);
        EXPECT_FALSE(spec->sandbox_id);  // ctr, not CRI
        if (userns) {
            expect_ranges(spec->uid_mappings, {{0, 100000, 65536}});
            expect_ranges(spec->gid_mappings, {{0, 100000, 65536}});
        } else {
            EXPECT_TRUE(spec->uid_mappings.empty());
            EXPECT_TRUE(spec->gid_mappings.empty());
        }
    }
}

TEST(OciSpec, UserNamespaceByPathAndMultipleRanges) {
    auto spec = spec_of(R"({
      "process": {"terminal": true, "user": {"uid": 1000, "gid": 2000, "additionalGids": [5]}},
      "annotations": {"io.kubernetes.cri.sandbox-id": "abc123", "other": "x"},
      "linux": {
        "namespaces": [{"type": "pid"}, {"type": "user", "path": "/proc/4242/ns/user"},
                       {"type": "network", "path": "/var/run/netns/x"}],
        "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 1000},
                        {"containerID": 1000, "hostID": 5000, "size": 1}],
        "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}]
      }
    })");
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_TRUE(spec->has_user_namespace);
    EXPECT_EQ(spec->user_namespace_path, "/proc/4242/ns/user");
    expect_ranges(spec->uid_mappings, {{0, 100000, 1000}, {1000, 5000, 1}});
    expect_ranges(spec->gid_mappings, {{0, 200000, 65536}});
    ASSERT_TRUE(spec->process_user);
    EXPECT_EQ(spec->process_user->uid, 1000u);
    EXPECT_EQ(spec->process_user->gid, 2000u);
    EXPECT_TRUE(spec->terminal);
    EXPECT_EQ(spec->sandbox_id, "abc123");
}

TEST(OciSpec, UserNamespaceByPathWithoutMappings) {
    auto spec = spec_of(R"({"process": {"user": {"uid": 0, "gid": 0}},
                            "linux": {"namespaces": [{"type": "user", "path": "/proc/7/ns/user"}]}})");
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_TRUE(spec->has_user_namespace);
    EXPECT_EQ(spec->user_namespace_path, "/proc/7/ns/user");
    EXPECT_TRUE(spec->uid_mappings.empty());
    EXPECT_TRUE(spec->gid_mappings.empty());

    // An empty path is the same as none: a new namespace.
    auto empty_path = spec_of(R"({"linux": {"namespaces": [{"type": "user", "path": ""}]}})");
    ASSERT_TRUE(empty_path);
    EXPECT_TRUE(empty_path->has_user_namespace);
    EXPECT_FALSE(empty_path->user_namespace_path);
}

TEST(OciSpec, NoUserNamespace) {
    for (auto text : {R"({})", R"({"linux": {}})", R"({"linux": {"namespaces": []}})",
                      R"({"linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}]}})",
                      R"({"linux": {"namespaces": [{"type": "users"}, {"type": 5}, 7]}})",
                      R"({"linux": {"namespaces": {"type": "user"}}})"}) {
        SCOPED_TRACE(text);
        auto spec = spec_of(text);
        ASSERT_TRUE(spec) << spec.error().message;
        EXPECT_FALSE(spec->has_user_namespace);
        EXPECT_FALSE(spec->process_user);
        EXPECT_FALSE(spec->terminal);
        EXPECT_FALSE(spec->sandbox_id);
    }
}

TEST(OciSpec, ProcessUserNeedsNumericIds) {
    for (auto text : {R"({"process": {}})", R"({"process": {"user": {"uid": 1}}})",
                      R"({"process": {"user": {"uid": "0", "gid": 0}}})",
                      R"({"process": {"user": {"uid": -1, "gid": 0}}})",
                      R"({"process": {"user": {"uid": 4294967296, "gid": 0}}})",
                      R"({"process": {"user": {"uid": 1.5, "gid": 0}}})",
                      R"({"process": {"user": {"username": "root"}}})"}) {
        SCOPED_TRACE(text);
        auto spec = spec_of(text);
        ASSERT_TRUE(spec) << spec.error().message;
        EXPECT_FALSE(spec->process_user);
    }
    auto max = spec_of(R"({"process": {"user": {"uid": 4294967295, "gid": 4294967294}}})");
    ASSERT_TRUE(max && max->process_user);
    EXPECT_EQ(max->process_user->uid, 4294967295u);
    EXPECT_EQ(max->process_user->gid, 4294967294u);
}

TEST(OciSpec, AnnotationOnlyWhenAString) {
    auto number = spec_of(R"({"annotations": {"io.kubernetes.cri.sandbox-id": 5}})");
    ASSERT_TRUE(number);
    EXPECT_FALSE(number->sandbox_id);
    auto other = spec_of(R"({"annotations": {"io.kubernetes.cri.sandbox-name": "x"}})");
    ASSERT_TRUE(other);
    EXPECT_FALSE(other->sandbox_id);
    auto escaped = spec_of(R"({"annotations": {"io.kubernetes.cri.sandbox-id": "a\u002fb"}})");
    ASSERT_TRUE(escaped);
    EXPECT_EQ(escaped->sandbox_id, "a/b");  // the caller checks it is a valid container id
}

TEST(OciSpec, MalformedMappingsAndDocuments) {
    for (auto text :
         {R"({"linux": {"uidMappings": {"containerID": 0}}})",
          R"({"linux": {"uidMappings": [{"containerID": 0, "hostID": 1}]}})",
          R"({"linux": {"gidMappings": [{"containerID": 0, "hostID": -1, "size": 1}]}})",
          R"({"linux": {"gidMappings": [5]}})"}) {
        SCOPED_TRACE(text);
        auto spec = spec_of(text);
        ASSERT_FALSE(spec);
        EXPECT_NE(spec.error().message.find("Mappings"), std::string::npos) << spec.error().message;
    }
    auto null_list = spec_of(R"({"linux": {"uidMappings": null}})");
    ASSERT_TRUE(null_list);
    EXPECT_TRUE(null_list->uid_mappings.empty());
    for (auto text : {"", "{", "[]", "nope", R"({"process": })"}) {
        SCOPED_TRACE(text);
        EXPECT_FALSE(spec_of(text));
    }
}

// ---- exec --process file -------------------------------------------------------------------

TEST(OciSpec, ProcessJsonFromTheExecSample) {
    // d/03-exec.txt records the process file go-runc wrote for `runc exec --process`.
    const fs::path path = samples_dir() / "d" / "03-exec.txt";
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::string line, process;
    while (std::getline(in, line))
        if (line.rfind("## --process file ", 0) == 0 && std::getline(in, process)) break;
    ASSERT_FALSE(process.empty()) << "no process file in " << path;
    auto user = process_user_of(process);
    ASSERT_TRUE(user) << user.error().message;
    EXPECT_EQ(user->uid, 0u);
    EXPECT_EQ(user->gid, 0u);
}

TEST(OciSpec, ProcessJsonUser) {
    auto user = process_user_of(R"({"user":{"uid":1000,"gid":1001,"additionalGids":[5]},
                                    "args":["sh"],"cwd":"/"})");
    ASSERT_TRUE(user) << user.error().message;
    EXPECT_EQ(user->uid, 1000u);
    EXPECT_EQ(user->gid, 1001u);
    for (auto text : {R"({"args":["sh"]})", R"({"user":{"uid":1}})", R"({"user":"root"})",
                      R"({"user":{"uid":"1","gid":"1"}})", "garbage", "[]"}) {
        SCOPED_TRACE(text);
        EXPECT_FALSE(process_user_of(text));
    }
}

// ---- runc state.json -------------------------------------------------------------------------

TEST(RuncState, LabelsAndMappings) {
    auto state = state_of(R"({
      "id": "d", "init_process_pid": 1565, "created": "2026-11-29T04:43:21Z",
      "config": {
        "rootfs": "/x/rootfs", "no_pivot_root": false,
        "namespaces": [{"type": "NEWUSER", "path": ""}],
        "uid_mappings": [{"container_id": 0, "host_id": 100000, "size": 65536}],
        "gid_mappings": [{"container_id": 0, "host_id": 100000, "size": 65536},
                         {"container_id": 65536, "host_id": 5, "size": 1}],
        "labels": ["io.kubernetes.cri.sandbox-id=abc",
                   "bundle=/tmp/ctd-e2e/state/io.containerd.runtime.v2.task/e2e/d",
                   "x=bundle=/not/this"]
      }
    })");
    ASSERT_TRUE(state) << state.error().message;
    EXPECT_EQ(state->bundle, "/tmp/ctd-e2e/state/io.containerd.runtime.v2.task/e2e/d");
    EXPECT_EQ(state->init_pid, 1565);
    expect_ranges(state->uid_mappings, {{0, 100000, 65536}});
    expect_ranges(state->gid_mappings, {{0, 100000, 65536}, {65536, 5, 1}});
}

TEST(RuncState, MissingPieces) {
    auto bare = state_of(R"({"id": "x"})");
    ASSERT_TRUE(bare);
    EXPECT_FALSE(bare->bundle);
    EXPECT_EQ(bare->init_pid, 0);
    EXPECT_TRUE(bare->uid_mappings.empty());

    auto no_bundle = state_of(R"({"config": {"labels": ["a=b", 5, "bundles=/x"]}})");
    ASSERT_TRUE(no_bundle);
    EXPECT_FALSE(no_bundle->bundle);

    auto empty_bundle = state_of(R"({"config": {"labels": ["bundle="]}})");
    ASSERT_TRUE(empty_bundle);
    EXPECT_EQ(empty_bundle->bundle, "");

    // runc's JSON keys (container_id/host_id), not the OCI spec's.
    auto oci_keys =
        state_of(R"({"config": {"uid_mappings": [{"containerID": 0, "hostID": 1, "size": 1}]}})");
    ASSERT_FALSE(oci_keys);
    EXPECT_NE(oci_keys.error().message.find("config.uid_mappings"), std::string::npos);

    EXPECT_FALSE(state_of("not json"));
    EXPECT_FALSE(state_of("[]"));
}

// ---- runc exec --user ------------------------------------------------------------------------

TEST(UserFlag, Forms) {
    const ProcessUser container{7, 8};
    auto uid_only = parse_user_flag("1000", container);
    ASSERT_TRUE(uid_only);
    EXPECT_EQ(uid_only->uid, 1000u);
    EXPECT_EQ(uid_only->gid, 8u);  // runc keeps the container process's gid

    auto both = parse_user_flag("1000:1001", container);
    ASSERT_TRUE(both);
    EXPECT_EQ(both->uid, 1000u);
    EXPECT_EQ(both->gid, 1001u);

    auto zero = parse_user_flag("0:0", container);
    ASSERT_TRUE(zero);
    EXPECT_EQ(zero->uid, 0u);
    EXPECT_EQ(zero->gid, 0u);

    auto max = parse_user_flag("4294967295:4294967295", container);
    ASSERT_TRUE(max);
    EXPECT_EQ(max->uid, 4294967295u);

    for (auto bad : {"", ":", "root", "1000:", ":1000", "1000:staff", "-1", "+5", "1 ", " 1",
                     "4294967296", "1:2:3", "0x10", "1000:1001:"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(parse_user_flag(bad, container));
    }
}

// The wrapper reads config.json with a SAX handler; the DOM reference (tests/support) reads
// the same fields the plain way. Each document below must give both the same answer: duplicate
// keys (the first wins), wrong types (absent), the id-range errors and their order, nesting.
TEST(ContainerSpecSax, AgreesWithTheDomReference) {
    const std::vector<std::string> documents{
        R"({})",
        R"([])",
        R"("text")",
        R"(5)",
        R"({"process":{"user":{"uid":1,"gid":2},"terminal":true}})",
        R"({"process":{"user":{"uid":1,"gid":2},"user":{"uid":3,"gid":4}}})",
        R"({"process":{"user":{"uid":1,"uid":5,"gid":2}}})",
        R"({"process":{"user":{"uid":-0,"gid":0}}})",
        R"({"process":{"user":{"uid":-1,"gid":0}}})",
        R"({"process":{"user":{"uid":1.0,"gid":0}}})",
        R"({"process":{"user":{"uid":4294967295,"gid":4294967296}}})",
        R"({"process":{"user":{"uid":"0","gid":0}}})",
        R"({"process":{"user":[1,2]}})",
        R"({"process":{"user":5,"user":{"uid":1,"gid":1}}})",
        R"({"process":{"terminal":"yes","terminal":true}})",
        R"({"process":{"terminal":{"x":true}}})",
        R"({"process":5,"process":{"terminal":true}})",
        R"({"process":[{"terminal":true}]})",
        R"({"annotations":{"io.kubernetes.cri.sandbox-id":"abc"}})",
        R"({"annotations":{"io.kubernetes.cri.sandbox-id":5,"io.kubernetes.cri.sandbox-id":"x"}})",
        R"({"annotations":{"io.kubernetes.cri.sandbox-id":"a\u0062c"}})",
        R"({"annotations":[],"annotations":{"io.kubernetes.cri.sandbox-id":"x"}})",
        R"({"linux":5})",
        R"({"linux":{"namespaces":[{"type":"user"}]}})",
        R"({"linux":{"namespaces":[{"type":"user","path":"/proc/1/ns/user"}]}})",
        R"({"linux":{"namespaces":[{"type":"user","path":""}]}})",
        R"({"linux":{"namespaces":[{"type":"user","path":"/a"},{"type":"user"}]}})",
        R"({"linux":{"namespaces":[{"type":"pid"},{"path":"/x","type":"user"}]}})",
        R"({"linux":{"namespaces":[{"type":"network","type":"user"}]}})",
        R"({"linux":{"namespaces":[{"type":["user"]},"user",5,null]}})",
        R"({"linux":{"namespaces":{"type":"user"}}})",
        R"({"linux":{"namespaces":"user"}})",
        R"({"linux":{"uidMappings":null,"gidMappings":[]}})",
        R"({"linux":{"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}]}})",
        R"({"linux":{"uidMappings":[{"containerID":0,"hostID":1,"size":1},{"containerID":1,"hostID":5,"size":2}],
                    "gidMappings":[{"containerID":0,"hostID":7,"size":3}]}})",
        R"({"linux":{"uidMappings":{}}})",
        R"({"linux":{"uidMappings":"x"}})",
        R"({"linux":{"uidMappings":5,"gidMappings":5}})",
        R"({"linux":{"gidMappings":5,"uidMappings":[5]}})",
        R"({"linux":{"gidMappings":[{"containerID":0}],"uidMappings":[]}})",
        R"({"linux":{"uidMappings":[{"containerID":0,"hostID":1}]}})",
        R"({"linux":{"uidMappings":[{"containerID":0,"hostID":1,"size":-1}]}})",
        R"({"linux":{"uidMappings":[{"containerID":0,"hostID":1,"size":{"n":1}}]}})",
        R"({"linux":{"uidMappings":[{"containerID":0,"hostID":1,"size":1,"size":"x"}]}})",
        R"({"linux":{"uidMappings":[[0,1,1]]}})",
        R"({"linux":{"uidMappings":[],"uidMappings":5}})",
        R"({"linux":{"uidMappings":5},"linux":{}})",
        R"({"x":{"linux":{"uidMappings":5}},"y":[{"process":{"terminal":true}}]})",
        R"({"a":[[[[[[[[[[{"linux":{"uidMappings":5}}]]]]]]]]]]})",
        R"({"process":{"user":{"uid":1,"gid":2}}} trailing)",
        R"({"process":)",
        R"({"linux":{"uidMappings":[{"containerID":0,"hostID":1,"size":1}]})",
        "",
    };
    for (const auto& document : documents) {
        SCOPED_TRACE(document);
        std::string for_sax = document;
        std::string for_dom = document;
        auto sax = parse_container_spec(for_sax);
        auto dom = reference::parse_container_spec_dom(for_dom);
        EXPECT_EQ(reference::spec_difference(sax, dom), "");
    }
    // And every sample config.json the shim wrote.
    int samples = 0;
    for (const auto& entry : fs::recursive_directory_iterator(samples_dir())) {
        if (entry.path().filename() != "config.json") continue;
        SCOPED_TRACE(entry.path().string());
        std::string for_sax = slurp(entry.path());
        std::string for_dom = for_sax;
        EXPECT_EQ(reference::spec_difference(parse_container_spec(for_sax),
                                             reference::parse_container_spec_dom(for_dom)),
                  "");
        ++samples;
    }
    EXPECT_GT(samples, 0);
}

// A config.json nested a million levels deep is a parse error, not a crash or a huge allocation.
TEST(ContainerSpecSax, DeepNestingIsAnError) {
    std::string deep(1000000, '[');
    auto spec = parse_container_spec(deep);
    ASSERT_FALSE(spec);
    std::string closed = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
    auto ok = parse_container_spec(closed);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_FALSE(ok->has_user_namespace);
}

}  // namespace
}  // namespace runcwrap

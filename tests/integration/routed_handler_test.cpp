// Routed CRI handlers (issue #15) with the real runc, real pipes and a real user namespace.
// Two handlers are routed: each has an entry `.../runcwrap/handlers/NAME/runc`, a symlink to
// build/runcwrap, and a [handlers.NAME] table naming its own runtime: two recording scripts
// that exec /usr/sbin/runc, so each call shows which handler's runtime ran it. The calls are
// made as containerd's shim makes them when a handler's BinaryName is its entry (go-runc:
// argv[0] = BinaryName), and as 2.0.4 makes an app container's (plain `runc` from PATH, the
// runtime options dropped, the pod sandbox's options.json naming the entry).
#include <fcntl.h>

#include <gtest/gtest.h>

#include "harness.hpp"

namespace itest {
namespace {

constexpr const char* kRealRunc = "/usr/sbin/runc";
constexpr const char* kBusybox = "/bin/busybox";
constexpr const char* kReopen = "echo out > /proc/self/fd/1 && echo err > /proc/self/fd/2";

std::string config_json(const std::string& rootfs, const std::string& sandbox_id = "") {
    const std::string annotations =
        sandbox_id.empty()
            ? std::string()
            : R"("annotations":{"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.sandbox-id":")" +
                  sandbox_id + R"("},)";
    return R"({"ociVersion":"1.0.2",)" + annotations +
           R"("process":{"terminal":false,"user":{"uid":0,"gid":0},"args":["sh","-c",")" +
           std::string(kReopen) +
           R"("],"env":["PATH=/bin"],"cwd":"/","noNewPrivileges":true},"root":{"path":")" + rootfs +
           R"("},"hostname":"runcwrap-routed","mounts":[{"destination":"/proc","type":"proc","source":"proc"},)"
           R"({"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]}],)"
           R"("linux":{"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],)"
           R"("gidMappings":[{"containerID":0,"hostID":100000,"size":65536}],)"
           R"("namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"user"}]}})";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// A call's own stdio: fresh root-owned 0600 pipes, as a 1.7.x shim makes them. The test keeps
// the read ends (and stdin's write end) after the call: the container's process holds the rest.
struct Stdio {
    Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
    std::map<int, int> fds() const {
        return {{0, in.read.get()}, {1, out.write.get()}, {2, err.write.get()}};
    }
    // Drops the test's copies of the ends the container holds, then reads what it wrote.
    std::pair<std::string, std::string> output() {
        in.read.reset();
        out.write.reset();
        err.write.reset();
        std::string o = read_until_eof(out.read.get());
        return {o, read_until_eof(err.read.get())};
    }
};

class RoutedHandler : public ::testing::Test {
  protected:
    void SetUp() override {
        // Not a skip: the suite's deps script installs both (apt-get install runc busybox-static).
        ASSERT_EQ(::access(kRealRunc, X_OK), 0) << kRealRunc << " missing: apt-get install -y runc";
        ASSERT_EQ(::access(kBusybox, X_OK), 0)
            << kBusybox << " missing: apt-get install -y busybox-static";
        ASSERT_EQ(::geteuid(), 0u) << "needs root";
        T = t.path();
        root = T + "/runc-root";
        rootfs = T + "/rootfs";
        make_busybox_rootfs(rootfs, {"sh", "echo"}, 100000, 100000);

        // runcwrap as `runc` in PATH (the app container's calls on 2.0.4 arrive there) and the
        // entries of handlers alpha and "beta.v2", as `runcwrap route` makes them.
        path_runc = install_runcwrap(T + "/bin", Install::Copy);
        for (const char* name : {"alpha", "beta.v2", "gamma"}) {
            const std::string dir = T + "/lib/runcwrap/handlers/" + name;
            make_dirs(dir);
            ASSERT_EQ(::symlink(runcwrap_bin().c_str(), (dir + "/runc").c_str()), 0);
        }
        alpha_entry = T + "/lib/runcwrap/handlers/alpha/runc";
        beta_entry = T + "/lib/runcwrap/handlers/beta.v2/runc";
        gamma_entry = T + "/lib/runcwrap/handlers/gamma/runc";  // routed, but has no table
        for (const char* name : {"alpha", "beta"})
            write_script(T + "/rt/" + name + "-runtime", "printf '%s\\n' \"$*\" >> " + T + "/" +
                                                             name + ".calls\nexec " + kRealRunc +
                                                             " \"$@\"\n");
        write_file(T + "/etc/runcwrap/config.toml",
                   "[options]\nBinaryName = \"" + std::string(kRealRunc) +
                       "\"\n[runcwrap]\nLogFile = \"" + T +
                       "/decisions.log\"\n[handlers.alpha]\nBinaryName = \"" + T +
                       "/rt/alpha-runtime\"\n[handlers.\"beta.v2\"]\nBinaryName = \"" + T +
                       "/rt/beta-runtime\"\n");
    }

    void TearDown() override {
        // Even after a failed assertion: never leave a container (or its cgroups) behind.
        for (const auto& id : ids) {
            Spawn s{kRealRunc, {"runc", "--root", root, "delete", "--force", id}, env(), "", {}};
            run_captured(s);
        }
    }

    std::vector<std::string> env() const {
        return {"PATH=" + T + "/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
                "RUNCWRAP_CONFIG=" + T + "/etc/runcwrap/config.toml"};
    }

    std::string new_id(const char* what) {
        ids.push_back(std::string("rw-") + what + "-" + std::to_string(::getpid()) + "-" +
                      std::to_string(ids.size()));
        return ids.back();
    }

    // One call as the shim makes it: argv[0] = `as` (a handler's entry, or "runc" from PATH),
    // with `stdio` as fds 0-2.
    Exit call(const std::string& path, const std::string& as, const std::vector<std::string>& args,
              const Stdio& stdio) {
        Spawn s;
        s.path = path;
        s.argv = {as, "--root", root};
        s.argv.insert(s.argv.end(), args.begin(), args.end());
        s.env = env();
        s.cwd = T;
        s.fds = stdio.fds();
        return run(s);
    }
    Captured call_captured(const std::string& entry, const std::vector<std::string>& args) {
        Spawn s{entry, {entry, "--root", root}, env(), T, {}};
        s.argv.insert(s.argv.end(), args.begin(), args.end());
        return run_captured(s);
    }

    // The process closed its stdio; runc calls it stopped once its init is reaped, a moment
    // later (the shim waits for the exit event before it deletes, too).
    void wait_until_stopped(const std::string& id) {
        for (int i = 0; i < 1000; ++i) {
            Spawn s{kRealRunc, {"runc", "--root", root, "state", id}, env(), T, {}};
            if (contains(run_captured(s).out, "\"status\": \"stopped\"")) return;
            ::usleep(10000);
        }
        ADD_FAILURE() << id << " did not stop";
    }

    std::string calls_of(const char* handler) const {
        return read_file(T + "/" + handler + ".calls");
    }

    // create, start, wait for the output, delete: every call through `entry`.
    void lifecycle_through(const std::string& entry, const std::string& bundle,
                           const std::string& id) {
        Stdio stdio;
        Exit created = call(entry, entry,
                            {"--log", bundle + "/log.json", "--log-format", "json", "create",
                             "--bundle", bundle, "--pid-file", bundle + "/init.pid", id},
                            stdio);
        ASSERT_EQ(created.code, 0) << read_file(bundle + "/log.json");
        // runcwrap chowned the container's stdio pipes to its root, host 100000.
        for (int fd : {stdio.in.read.get(), stdio.out.write.get(), stdio.err.write.get()}) {
            EXPECT_EQ(fstat_of(fd).st_uid, 100000u);
            EXPECT_EQ(fstat_of(fd).st_gid, 100000u);
        }
        Captured started = call_captured(
            entry, {"--log", bundle + "/log.json", "--log-format", "json", "start", id});
        ASSERT_EQ(started.exit.code, 0) << started.err << read_file(bundle + "/log.json");
        auto [out, err] = stdio.output();
        EXPECT_EQ(out, "out\n");
        EXPECT_EQ(err, "err\n");
        wait_until_stopped(id);
        Captured deleted = call_captured(
            entry, {"--log", bundle + "/log.json", "--log-format", "json", "delete", id});
        EXPECT_EQ(deleted.exit.code, 0) << deleted.err << read_file(bundle + "/log.json");
    }

    TempDir t;
    std::string T, root, rootfs, path_runc, alpha_entry, beta_entry, gamma_entry;
    std::vector<std::string> ids;
};

TEST_F(RoutedHandler, FeaturesThroughEachEntryRunsThatHandlersRuntime) {
    Captured a = call_captured(alpha_entry, {"features"});
    ASSERT_EQ(a.exit.code, 0) << a.err;
    EXPECT_TRUE(contains(a.out, "\"ociVersionMin\"")) << a.out;  // runc's own answer
    EXPECT_EQ(a.err, "");
    EXPECT_EQ(calls_of("alpha"), "--root " + root + " features\n");
    EXPECT_EQ(calls_of("beta"), "");

    Captured b = call_captured(beta_entry, {"features"});
    ASSERT_EQ(b.exit.code, 0) << b.err;
    EXPECT_TRUE(contains(b.out, "\"ociVersionMin\"")) << b.out;
    EXPECT_EQ(calls_of("beta"), "--root " + root + " features\n");
    EXPECT_EQ(calls_of("alpha"), "--root " + root + " features\n");  // not again

    // The decision log names the case and the handler's runtime.
    const std::string log = read_file(T + "/decisions.log");
    EXPECT_TRUE(contains(log, "\"case\":\"routed-handler\"")) << log;
    EXPECT_TRUE(contains(log, "[handlers.alpha] BinaryName")) << log;
    EXPECT_TRUE(contains(log, "[handlers.\\\"beta.v2\\\"] BinaryName")) << log;
}

// 2.0.5 and 1.7.x: the calls arrive through the handler's entry, the options intact (the
// bundle's options.json names the entry); 1.7's stdio pipes are root-owned.
TEST_F(RoutedHandler, ContainersThroughEachEntryRunTheirHandlersRuntimeWithTheirStdioChowned) {
    const std::string a_bundle = T + "/bundles/a", b_bundle = T + "/bundles/b";
    write_file(a_bundle + "/config.json", config_json(rootfs));
    write_file(a_bundle + "/options.json", "{\"binary_name\":\"" + alpha_entry + "\"}", 0600);
    write_file(b_bundle + "/config.json", config_json(rootfs));
    write_file(b_bundle + "/options.json", "{\"binary_name\":\"" + beta_entry + "\"}", 0600);
    const std::string a_id = new_id("alpha"), b_id = new_id("beta");

    lifecycle_through(alpha_entry, a_bundle, a_id);
    lifecycle_through(beta_entry, b_bundle, b_id);

    const std::string alpha = calls_of("alpha"), beta = calls_of("beta");
    for (const char* step : {" create --bundle ", " start ", " delete "}) {
        const std::string a = step + (step[1] == 'c' ? a_bundle : a_id);
        const std::string b = step + (step[1] == 'c' ? b_bundle : b_id);
        EXPECT_TRUE(contains(alpha, a)) << alpha;
        EXPECT_FALSE(contains(alpha, b)) << alpha;
        EXPECT_TRUE(contains(beta, b)) << beta;
        EXPECT_FALSE(contains(beta, a)) << beta;
    }
    // Nothing restored: the argv is the shim's, the flags of the handler's own runtime.
    EXPECT_FALSE(contains(alpha + beta, "--systemd-cgroup"));
    const std::string log = read_file(T + "/decisions.log");
    EXPECT_TRUE(contains(log, "\"command\":\"create\"")) << log;
    EXPECT_FALSE(contains(log, "inside-wrapping-runtime")) << log;
    EXPECT_TRUE(contains(log, "\"chowned_fds\":[0,1,2]")) << log;
}

// 2.0.4: the app container's calls come through PATH with the runtime options dropped; its
// pod sandbox's options.json names handler beta.v2's entry. S2 runs beta's runtime, never the
// entry (runcwrap again) and never [options]' runc.
TEST_F(RoutedHandler, S2MapsTheSandboxsEntryBackToTheHandlersRuntime) {
    StateTree tree = make_state_tree(T + "/ctd", "k8s.io");
    const std::string sandbox = "sandbox" + std::to_string(::getpid());
    tree.make_bundle(sandbox, "{\"binary_name\":\"" + beta_entry + "\"}", config_json(rootfs));
    const std::string id = new_id("app");
    const std::string bundle =
        tree.make_bundle(id, R"({"io_uid":100000,"io_gid":100000})", config_json(rootfs, sandbox));

    Stdio stdio;
    Exit created = call(path_runc, "runc",
                        {"--log", bundle + "/log.json", "--log-format", "json", "create",
                         "--bundle", bundle, "--pid-file", bundle + "/init.pid", id},
                        stdio);
    ASSERT_EQ(created.code, 0) << read_file(bundle + "/log.json");
    Spawn start{path_runc,
                {"runc", "--root", root, "--log", bundle + "/log.json", "start", id},
                env(),
                T,
                {}};
    Captured started = run_captured(start);
    ASSERT_EQ(started.exit.code, 0) << started.err;
    auto [out, err] = stdio.output();
    EXPECT_EQ(out, "out\n");
    EXPECT_EQ(err, "err\n");
    wait_until_stopped(id);
    Spawn del{path_runc,
              {"runc", "--root", root, "--log", bundle + "/log.json", "delete", id},
              env(),
              T,
              {}};
    EXPECT_EQ(run_captured(del).exit.code, 0);

    const std::string beta = calls_of("beta");
    EXPECT_TRUE(contains(beta, " create --bundle " + bundle)) << beta;
    EXPECT_TRUE(contains(beta, " start " + id)) << beta;
    EXPECT_TRUE(contains(beta, " delete " + id)) << beta;
    EXPECT_EQ(calls_of("alpha"), "");
    const std::string log = read_file(T + "/decisions.log");
    EXPECT_TRUE(contains(log, "\"case\":\"dropped-sandbox\"")) << log;
    EXPECT_TRUE(contains(log, "\"runtime\":\"" + T + "/rt/beta-runtime\"")) << log;
}

// An entry whose handler the side file does not record: fail closed, in runc's --log JSON and
// once on stderr, naming argv[0], the side file and the fix; nothing runs.
TEST_F(RoutedHandler, AnEntryWithoutItsTableFailsClosed) {
    const std::string bundle = T + "/bundles/g";
    write_file(bundle + "/config.json", config_json(rootfs));
    write_file(bundle + "/options.json", "{\"binary_name\":\"" + gamma_entry + "\"}", 0600);
    const std::string id = new_id("gamma");
    Stdio stdio;
    Exit e = call(
        gamma_entry, gamma_entry,
        {"--log", bundle + "/log.json", "--log-format", "json", "create", "--bundle", bundle, id},
        stdio);
    EXPECT_EQ(e.code, 1);
    const std::string message = "runcwrap: argv[0] " + gamma_entry +
                                " is CRI handler gamma's runcwrap entry, but the side file " + T +
                                "/etc/runcwrap/config.toml has no [handlers.gamma] table to say "
                                "which runtime that handler runs; fix: runcwrap route --handler "
                                "gamma (it records the handler's runtime there)";
    const std::string log = read_file(bundle + "/log.json");
    EXPECT_TRUE(contains(log, "{\"level\":\"error\",\"msg\":\"" +
                                  replace_all(message, "\"", "\\\"") + "\",\"time\":\""))
        << log;
    EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1);
    auto [out, err] = stdio.output();
    EXPECT_EQ(out, "");
    EXPECT_EQ(err, message + "\n");
    EXPECT_EQ(calls_of("alpha") + calls_of("beta"), "");
    Spawn state{kRealRunc, {"runc", "--root", root, "state", id}, env(), T, {}};
    EXPECT_NE(run_captured(state).exit.code, 0) << "no container was created";
}

// A [handlers.NAME] whose BinaryName leads back to runcwrap (the entry's own binary, a copy in
// PATH, an entry) is a configuration error naming the table, never "skip it and run a runc".
TEST_F(RoutedHandler, AHandlerTableNamingRuncwrapIsAConfigurationError) {
    const std::string side = T + "/etc/runcwrap/config.toml";
    struct Case {
        std::string binary_name;
        std::string says;
    };
    for (const Case& c : {Case{runcwrap_bin(), ", which is runcwrap itself; fix: "},
                          Case{path_runc, ", which is another copy of runcwrap; fix: "},
                          Case{beta_entry, ", handler beta.v2's runcwrap entry, not a runtime"}}) {
        SCOPED_TRACE(c.binary_name);
        write_file(side, "[handlers.alpha]\nBinaryName = \"" + c.binary_name + "\"\n");
        Captured r = call_captured(alpha_entry, {"features"});
        EXPECT_EQ(r.exit.code, 1);
        EXPECT_EQ(r.out, "");
        EXPECT_TRUE(contains(r.err, "side file " + side + " [handlers.alpha] ")) << r.err;
        EXPECT_TRUE(contains(r.err, c.says)) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    EXPECT_EQ(calls_of("alpha") + calls_of("beta"), "");
}

}  // namespace
}  // namespace itest

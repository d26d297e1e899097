#!/usr/bin/env python3
"""manifest.py FILE [PREFIX]: reads a DaemonSet's container settings from deploy/kubernetes/
(runcwrap-installer.yaml, runcwrap-uninstall.yaml) and prints them as bash assignments named
PREFIX_... (default M), so tests/image/run.sh runs the image with exactly what the DaemonSet
declares. A field the test cannot reproduce on ctr is an error, never ignored: a change
to the manifest then fails the test until the test follows it."""
import shlex
import sys

import yaml

KNOWN_POD = {"nodeSelector", "hostPID", "priorityClassName", "automountServiceAccountToken",
             "enableServiceLinks", "terminationGracePeriodSeconds", "tolerations", "containers",
             "volumes"}
KNOWN_CONTAINER = {"name", "image", "imagePullPolicy", "command", "args", "env", "securityContext",
                   "readinessProbe", "lifecycle", "resources", "volumeMounts"}
KNOWN_SECURITY = {"runAsUser", "runAsGroup", "readOnlyRootFilesystem", "allowPrivilegeEscalation",
                  "capabilities", "privileged"}


def fail(msg):
    sys.exit(f"tests/image/manifest.py: {msg}")


def check_keys(what, obj, known):
    extra = set(obj) - known
    if extra:
        fail(f"{what} has {sorted(extra)}, which tests/image/run.sh does not reproduce: teach it")


def arr(name, items):
    return f"{name}=(" + " ".join(shlex.quote(str(i)) for i in items) + ")"


def main(path, prefix):
    docs = list(yaml.safe_load_all(open(path)))
    ds = [d for d in docs if d and d.get("kind") == "DaemonSet"]
    if len(ds) != 1:
        fail(f"{path}: expected one DaemonSet")
    pod = ds[0]["spec"]["template"]["spec"]
    check_keys("the pod spec", pod, KNOWN_POD)
    if len(pod["containers"]) != 1:
        fail("expected one container")
    c = pod["containers"][0]
    check_keys("the container", c, KNOWN_CONTAINER)
    sc = c.get("securityContext", {})
    check_keys("the securityContext", sc, KNOWN_SECURITY)
    caps = sc.get("capabilities", {})
    check_keys("capabilities", caps, {"add", "drop"})
    if caps.get("drop") != ["ALL"]:
        fail("capabilities.drop must be [ALL] (the test sets exactly capabilities.add)")
    if sc.get("runAsUser", 0) != 0 or sc.get("runAsGroup", 0) != 0:
        fail("the installer runs as root (uid and gid 0)")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = []
    for m in c.get("volumeMounts", []):
        check_keys(f"volumeMount {m['name']}", m, {"name", "mountPath", "readOnly"})
        v = volumes[m["name"]]
        mode = "ro" if m.get("readOnly") else "rw"
        if "hostPath" in v:
            mounts.append(f"hostPath|{v['hostPath']['path']}|{m['mountPath']}|{mode}")
        elif "emptyDir" in v:
            mounts.append(f"emptyDir||{m['mountPath']}|{mode}")
        else:
            fail(f"volume {m['name']}: only hostPath and emptyDir are reproduced")
    env = []
    for e in c.get("env", []):
        if set(e) != {"name", "value"}:
            fail(f"env {e.get('name')}: only plain values are reproduced")
        env.append(f"{e['name']}={e['value']}")
    probe = c["readinessProbe"]["exec"]["command"]
    # A preStop hook runs on every termination, a restart or rolling update included.
    lifecycle = c.get("lifecycle", {})
    check_keys("lifecycle", lifecycle, {"preStop"})
    prestop = lifecycle["preStop"]["exec"]["command"] if "preStop" in lifecycle else []
    print(arr(f"{prefix}_CAPS", ["CAP_" + x for x in caps.get("add", [])]))
    print(f"{prefix}_PRIVILEGED={1 if sc.get('privileged') else 0}")
    print(f"{prefix}_READ_ONLY={1 if sc.get('readOnlyRootFilesystem') else 0}")
    print(f"{prefix}_NO_NEW_PRIVS={0 if sc.get('allowPrivilegeEscalation', True) else 1}")
    print(f"{prefix}_HOST_PID={1 if pod.get('hostPID') else 0}")
    print(arr(f"{prefix}_MOUNTS", mounts))
    print(arr(f"{prefix}_ENV", env))
    print(arr(f"{prefix}_COMMAND", c.get("command", []) + c.get("args", [])))
    print(arr(f"{prefix}_PROBE", probe))
    print(arr(f"{prefix}_PRESTOP", prestop))
    print(f"{prefix}_IMAGE={shlex.quote(c['image'])}")
    print(f"{prefix}_NAMESPACE={shlex.quote(ds[0]['metadata']['namespace'])}")
    print(f"{prefix}_NODE_SELECTOR={shlex.quote(str(sorted(pod.get('nodeSelector', {}).items())))}")


main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "M")

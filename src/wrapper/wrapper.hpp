// Wrapper mode: runcwrap installed as `runc`. Parses, plans, chowns, execs. Writes nothing to
// fds 0-2 except one fatal error line on stderr.
#pragma once

namespace runcwrap {

int wrapper_main(int argc, char** argv, char** envp);

}  // namespace runcwrap

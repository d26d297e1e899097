// The management CLI (invoked as `runcwrap`): CLI11, iostreams and exceptions are fine here;
// none of it runs on the wrapper's hot path.
#pragma once

namespace runcwrap {

int cli_main(int argc, char** argv, char** envp);

}  // namespace runcwrap

// Must not compile: the engine knows nothing of HTTP. Built only by the
// Layering.EngineCannotIncludeTheServer test.
#include "server/http_types.h"

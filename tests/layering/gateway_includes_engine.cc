// Must not compile: the gateway knows no engine, only services. Built only by
// the Layering.GatewayCannotIncludeTheEngine test.
#include "engine/engine.h"

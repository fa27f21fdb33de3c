// Must not compile: storage knows nothing of the Kinesis API. Built only by
// the Layering.StorageCannotIncludeTheApi test, which expects the compiler to
// say it cannot find the header.
#include "api/dispatcher.h"

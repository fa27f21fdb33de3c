// Must not compile: codecs know nothing of files. Built only by the
// Layering.ProtocolCannotIncludeStorage test.
#include "storage/shard_log.h"

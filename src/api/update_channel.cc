// UpdateChannel: ChannelARN, S3DestinationConfiguration /
// S3TablesDestinationConfiguration ({DataFreshnessInSeconds}, the one the
// channel delivers to), LoggingConfiguration. Output:
// {"ChannelDescription":{..}} in UPDATING.
#include <fmt/format.h>

#include "api/channel_shapes.h"

namespace sluice::api {
namespace {

// A destination update structure: its required DataFreshnessInSeconds.
Status DecodeDestinationUpdate(const protocol::JsonObject& body, std::string_view key, std::string_view path,
                               protocol::ValidationErrors& errors, bool* present, std::optional<int64_t>* freshness) {
  std::optional<protocol::JsonObject> o;
  SLUICE_RETURN_IF_ERROR(body.GetStructure(key, &o));
  *present = o && !o->empty_structure();
  if (!*present) return Status::Ok();
  SLUICE_RETURN_IF_ERROR(o->GetInteger("DataFreshnessInSeconds", freshness));
  errors.CheckRequired(fmt::format("{}.dataFreshnessInSeconds", path), freshness->has_value());
  return Status::Ok();
}

}  // namespace

void HandleUpdateChannel(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  protocol::ValidationErrors errors;
  std::optional<std::string_view> arn;
  Status st = body.GetString("ChannelARN", &arn);
  if (!st.ok()) return reply(st);
  CheckChannelArn(errors, arn);
  bool s3 = false, tables = false;
  std::optional<int64_t> s3_freshness, tables_freshness;
  st = DecodeDestinationUpdate(body, "S3DestinationConfiguration", "s3DestinationConfiguration", errors, &s3,
                               &s3_freshness);
  if (st.ok()) {
    st = DecodeDestinationUpdate(body, "S3TablesDestinationConfiguration", "s3TablesDestinationConfiguration", errors,
                                 &tables, &tables_freshness);
  }
  if (!st.ok()) return reply(st);
  std::optional<protocol::JsonObject> logging_in;
  st = body.GetStructure("LoggingConfiguration", &logging_in);
  if (!st.ok()) return reply(st);
  std::optional<channels::Logging> logging;
  if (logging_in && !logging_in->empty_structure()) {
    logging.emplace();
    st = DecodeLogging(*logging_in, "loggingConfiguration", errors, &*logging);
    if (!st.ok()) return reply(st);
  }
  if (!errors.empty()) return reply(errors.ToStatus());

  if (s3 && tables) {
    return reply(Status::InvalidArgument(
        "Only one of S3DestinationConfiguration and S3TablesDestinationConfiguration may be specified."));
  }
  const std::optional<int64_t> freshness = s3 ? s3_freshness : tables_freshness;
  st = CheckDataFreshness(freshness);
  if (!st.ok()) return reply(st);
  Result<channels::ChannelName> name = ResolveChannelArn(*arn);
  if (!name.ok()) return reply(name.status());
  Result<channels::ChannelRegistry*> registry = Channels(ctx);
  if (!registry.ok()) return reply(registry.status());
  Result<channels::Channel> current = (*registry)->Describe(name->account, name->region, name->name);
  if (!current.ok()) return reply(current.status());
  const bool is_s3 = current->destination == channels::DestinationType::kS3;
  if ((s3 && !is_s3) || (tables && is_s3)) {
    return reply(
        Status::InvalidArgument(fmt::format("Channel {} delivers to {}; its destination type cannot be changed.",
                                            name->name, channels::DestinationTypeName(current->destination))));
  }
  Result<channels::Channel> updated =
      (*registry)->Update(name->account, name->region, name->name, freshness, std::move(logging));
  if (!updated.ok()) return reply(updated.status());

  reply(ChannelDescriptionOutput(*updated));
}

}  // namespace sluice::api

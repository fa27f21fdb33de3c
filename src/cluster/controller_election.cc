#include "cluster/controller_election.h"

#include <simdjson.h>

#include <charconv>
#include <chrono>

#include "protocol/json_writer.h"
#include "util/log.h"

namespace sluice::cluster {
namespace {

std::string EncodeController(const ControllerInfo& info) {
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Member("node", info.node);
  w.MemberInt("epoch", info.epoch);
  w.EndObject();
  return out;
}

Result<ControllerInfo> ParseController(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  ControllerInfo info;
  std::string_view node;
  if (parser.parse(json.data(), json.size(), true).get(obj) != simdjson::SUCCESS ||
      obj["node"].get_string().get(node) != simdjson::SUCCESS ||
      obj["epoch"].get_int64().get(info.epoch) != simdjson::SUCCESS) {
    return Status::BadResponse("a controller document that does not parse: " + std::string(json.substr(0, 200)));
  }
  info.node = std::string(node);
  return info;
}

}  // namespace

ControllerElection::ControllerElection(EtcdClient& client, ElectionOptions options)
    : client_(client), options_(std::move(options)) {
  WatchOptions watch;
  watch.prefix = std::string(kControllerPrefix);
  watch.on_events = [this](const std::vector<WatchEvent>&) { Wake(); };
  watch_ = std::make_unique<EtcdWatch>(client_, std::move(watch));
  thread_ = std::thread([this] { Run(); });
}

ControllerElection::~ControllerElection() { Stop(); }

void ControllerElection::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  watch_->Stop();
  if (is_controller_.load()) {
    const Term term = this->term();
    Result<TxnResult> resigned = client_.Txn({Compare::ModRevision(std::string(kControllerKey), term.claim_revision)},
                                             {TxnOp::Delete(std::string(kControllerKey))}, {});
    if (!resigned.ok()) log::Warn("cannot resign as the cluster's controller: {}", resigned.status().ToString());
    SetController(std::nullopt);
  }
}

Term ControllerElection::term() const {
  std::lock_guard<std::mutex> lock(mu_);
  return term_;
}

void ControllerElection::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void ControllerElection::Run() {
  while (true) {
    if (Status s = Campaign(); !s.ok()) log::Warn("controller election: {}", s.ToString());
    ++rounds_;
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.recheck_ms), [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

Status ControllerElection::Campaign() {
  const int64_t lease = options_.lease ? options_.lease() : 0;
  if (lease == 0) {
    SetController(std::nullopt);
    return Status::Ok();
  }
  const std::string key(kControllerKey);
  const std::string epoch_key(kControllerEpochKey);
  SLUICE_ASSIGN_OR_RETURN(std::optional<KeyValue> epoch_kv, client_.Get(epoch_key));
  int64_t epoch = 0;
  if (epoch_kv) {
    const std::string& v = epoch_kv->value;
    if (std::from_chars(v.data(), v.data() + v.size(), epoch).ec != std::errc()) {
      return Status::BadResponse("a controller epoch that is not a number: " + v);
    }
  }
  const ControllerInfo mine{options_.node_id, epoch + 1};
  SLUICE_ASSIGN_OR_RETURN(
      TxnResult txn,
      client_.Txn({Compare::Absent(key), Compare::ModRevision(epoch_key, epoch_kv ? epoch_kv->mod_revision : 0)},
                  {TxnOp::Put(key, EncodeController(mine), lease), TxnOp::Put(epoch_key, std::to_string(mine.epoch))},
                  {TxnOp::Get(key)}));
  if (txn.succeeded) {
    SetController(Term{mine.epoch, txn.revision});
    return Status::Ok();
  }
  if (txn.kvs.empty()) {  // the epoch moved under us without a controller: the next round
    SetController(std::nullopt);
    Wake();
    return Status::Ok();
  }
  const KeyValue& holder = txn.kvs.front();
  if (holder.lease != lease) {
    SetController(std::nullopt);
    return Status::Ok();
  }
  // Ours already (an earlier round, or a retry whose first answer was lost).
  SLUICE_ASSIGN_OR_RETURN(ControllerInfo info, ParseController(holder.value));
  SetController(Term{info.epoch, holder.mod_revision});
  return Status::Ok();
}

void ControllerElection::SetController(std::optional<Term> term) {
  const bool was = is_controller_.load();
  Term previous;
  {
    std::lock_guard<std::mutex> lock(mu_);
    previous = term_;
    term_ = term.value_or(Term{});
    is_controller_.store(term.has_value());
  }
  if (term && (!was || previous.claim_revision != term->claim_revision)) {
    log::Info("node {} is the cluster's controller (epoch {})", options_.node_id, term->epoch);
    if (options_.on_elected) options_.on_elected(*term);
  } else if (!term && was) {
    log::Info("node {} is no longer the cluster's controller", options_.node_id);
    if (options_.on_deposed) options_.on_deposed();
  }
}

Result<std::optional<ControllerInfo>> GetController(EtcdClient& client) {
  SLUICE_ASSIGN_OR_RETURN(std::optional<KeyValue> kv, client.Get(kControllerKey));
  if (!kv) return std::optional<ControllerInfo>();
  SLUICE_ASSIGN_OR_RETURN(ControllerInfo info, ParseController(kv->value));
  return std::optional<ControllerInfo>(std::move(info));
}

}  // namespace sluice::cluster

#include "cluster/etcd_session.h"

#include <chrono>

#include "util/clock.h"
#include "util/log.h"

namespace sluice::cluster {

EtcdSession::EtcdSession(EtcdClient& client, int64_t ttl_s, OnGranted on_granted)
    : client_(client), ttl_s_(ttl_s), on_granted_(std::move(on_granted)) {}

EtcdSession::~EtcdSession() { Stop(); }

Status EtcdSession::Grant() {
  SLUICE_ASSIGN_OR_RETURN(Lease lease, client_.GrantLease(ttl_s_));
  if (Status s = on_granted_(lease.id); !s.ok()) {
    (void)client_.RevokeLease(lease.id);  // best effort: it expires on its own otherwise
    return s;
  }
  lease_ = lease.id;
  return Status::Ok();
}

Status EtcdSession::Start() {
  SLUICE_RETURN_IF_ERROR(Grant());
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void EtcdSession::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (const int64_t lease = lease_.exchange(0); lease != 0) {
    if (Status s = client_.RevokeLease(lease); !s.ok()) {
      log::Warn("cannot revoke the cluster session's lease (its keys expire within {} s): {}", ttl_s_, s.ToString());
    }
  }
}

bool EtcdSession::WaitFor(int64_t ms) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

void EtcdSession::Run() {
  const int64_t interval_ms = std::max<int64_t>(ttl_s_ * 1000 / 3, 100);
  int64_t renewed_at = MonotonicMillis();
  while (WaitFor(interval_ms)) {
    const int64_t lease = lease_.load();
    Result<int64_t> ttl = client_.KeepAliveOnce(lease);
    if (ttl.ok() && *ttl > 0) {
      renewed_at = MonotonicMillis();
      continue;
    }
    // Unreachable for less than the TTL: the lease may still hold; try again.
    if (!ttl.ok() && MonotonicMillis() - renewed_at < ttl_s_ * 1000) {
      log::Warn("cannot renew the cluster session's lease: {}", ttl.status().ToString());
      continue;
    }
    ++lost_;
    log::Warn("the cluster session's lease {} was lost ({}); its keys are gone, registering again", lease,
              ttl.ok() ? "etcd no longer has it" : ttl.status().ToString());
    while (true) {
      Status granted = Grant();
      if (granted.ok()) {
        log::Info("the cluster session has a new lease {}", lease_.load());
        renewed_at = MonotonicMillis();
        break;
      }
      log::Warn("cannot register again in etcd: {}", granted.ToString());
      if (!WaitFor(1000)) return;
    }
  }
}

}  // namespace sluice::cluster

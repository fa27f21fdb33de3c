#include "bench/server_process.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "bench/requests.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr int64_t kPollNs = 20'000'000;
constexpr int64_t kHealthCallNs = 1'000'000'000;

void SleepNanos(int64_t ns) {
  timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  nanosleep(&ts, nullptr);
}

// True once the child has exited (and is reaped).
bool Exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

// nftw's callback has no context argument; the walk runs on one thread.
thread_local int64_t disk_total = 0;

int AddBlocks(const char*, const struct stat* st, int type, FTW*) {
  if (type == FTW_F || type == FTW_D) disk_total += static_cast<int64_t>(st->st_blocks) * 512;
  return 0;
}

}  // namespace

ServerProcess::ServerProcess(std::string bin, std::string data_dir, std::vector<std::string> args,
                             const Endpoint& endpoint)
    : bin_(std::move(bin)),
      data_dir_(std::move(data_dir)),
      log_path_(data_dir_ + ".log"),
      args_(std::move(args)),
      endpoint_(endpoint) {}

ServerProcess::~ServerProcess() { (void)Stop(10'000'000'000); }

Result<int64_t> ServerProcess::Start(const std::vector<std::string>& extra_args, int64_t timeout_ns) {
  if (pid_ > 0) return Status::Internal("server already running");
  char ip[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &endpoint_.addr.sin_addr, ip, sizeof(ip));
  std::vector<std::string> argv = {
      bin_, "serve", "--host", ip, "--port", std::to_string(ntohs(endpoint_.addr.sin_port)), "--data-dir", data_dir_};
  argv.insert(argv.end(), args_.begin(), args_.end());
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::IoError("open " + log_path_ + ": " + std::strerror(errno));
  const int64_t start = MonotonicNanos();
  const pid_t pid = fork();
  if (pid < 0) {
    ::close(log_fd);
    return Status::IoError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  ::close(log_fd);
  pid_ = pid;

  const std::string health = "GET /health HTTP/1.1\r\nHost: " + endpoint_.host_header + "\r\n\r\n";
  const int64_t deadline = start + timeout_ns;
  // Bounded by the deadline; each turn is one GET /health.
  for (;;) {
    if (Exited(pid_)) {
      pid_ = -1;
      return Status::IoError("server exited during start-up; see " + log_path_);
    }
    Result<CallResponse> r = Call(endpoint_, health, kHealthCallNs);
    if (r.ok() && r->status == 200) return MonotonicNanos() - start;
    if (MonotonicNanos() + kPollNs > deadline) {
      (void)Stop(0);
      return Status::TimedOut("server not healthy in time; see " + log_path_);
    }
    SleepNanos(kPollNs);
  }
}

Status ServerProcess::Stop(int64_t timeout_ns) {
  if (pid_ <= 0) return Status::Ok();
  ::kill(pid_, SIGTERM);
  const int64_t deadline = MonotonicNanos() + timeout_ns;
  // Bounded by the deadline; then SIGKILL, which a process cannot refuse.
  while (!Exited(pid_)) {
    if (MonotonicNanos() > deadline) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      break;
    }
    SleepNanos(kPollNs / 4);
  }
  pid_ = -1;
  return Status::Ok();
}

int64_t CountOpenDescriptors(int pid) {
  DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr) return -1;
  int64_t n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n;
}

int64_t DiskUsageBytes(const std::string& dir) {
  disk_total = 0;
  if (nftw(dir.c_str(), AddBlocks, 64, FTW_PHYS) != 0) return -1;
  return disk_total;
}

}  // namespace sluice::bench

#include "engine/pending_marks.h"

#include <filesystem>
#include <string_view>
#include <vector>

#include "engine/data_layout.h"
#include "storage/env.h"
#include "storage/file_util.h"
#include "util/log.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMarkSuffix = ".pending";

bool AllDigits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

// "<escaped name>-<creation ms>", as StreamDir names it.
bool IsStreamFolderName(std::string_view name) {
  const size_t dash = name.rfind('-');
  return dash != std::string_view::npos && dash > 0 && AllDigits(name.substr(dash + 1));
}

// "shard-<12 digits>", as ShardDir names it.
bool IsShardFolderName(std::string_view name) {
  constexpr std::string_view kPrefix = "shard-";
  return name.size() == kPrefix.size() + 12 && name.substr(0, kPrefix.size()) == kPrefix &&
         AllDigits(name.substr(kPrefix.size()));
}

std::vector<fs::path> Entries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) out.push_back(entry.path());
  return out;
}

void LeaveAlone(const fs::path& path) {
  std::error_code ec;
  log::Warn(
      "engine: leaving unknown {} {} alone (the metadata does not name it and the server did not "
      "mark it for removal)",
      fs::is_directory(path, ec) ? "directory" : "file", path.string());
}

// One folder level: a region folder (entries are stream folders) or a
// stream folder (entries are shard folders). Settles the marks in `dir`,
// then descends into the named stream folders and warns about the rest.
void SettleFolder(const fs::path& dir, bool region_level, const std::set<std::string>& named, bool sync) {
  const auto is_folder_name = region_level ? IsStreamFolderName : IsShardFolderName;
  std::set<fs::path> settled;  // marks, and the marked folders the metadata does not name
  for (const fs::path& mark : Entries(dir)) {
    const std::string name = mark.filename().string();
    std::error_code ec;
    if (name.size() <= kMarkSuffix.size() || !name.ends_with(kMarkSuffix) || !fs::is_regular_file(mark, ec)) {
      continue;
    }
    const fs::path folder = dir / name.substr(0, name.size() - kMarkSuffix.size());
    if (!is_folder_name(folder.filename().string())) continue;  // not a mark the server writes
    settled.insert(mark);
    Status settled_mark;
    if (named.count(folder.lexically_normal().string())) {
      settled_mark = storage::file::RemoveFile(mark.string());
    } else {
      settled.insert(folder);
      if (fs::exists(folder, ec)) {
        log::Warn("engine: removing {}, which the server marked for removal and the metadata does not name",
                  folder.string());
      }
      settled_mark = RemoveMarked(folder.string(), sync);
    }
    if (!settled_mark.ok()) log::Error("engine: {} (tried again at the next start)", settled_mark.ToString());
  }
  for (const fs::path& entry : Entries(dir)) {
    if (settled.count(entry)) continue;
    if (!named.count(entry.lexically_normal().string())) {
      LeaveAlone(entry);
    } else if (region_level) {
      SettleFolder(entry, /*region_level=*/false, named, sync);
    }
  }
}

}  // namespace

std::string PendingMarkPath(const std::string& folder) { return folder + std::string(kMarkSuffix); }

Status MarkPending(const std::string& folder, bool sync) {
  const std::string parent = fs::path(folder).parent_path().string();
  SLUICE_RETURN_IF_ERROR(storage::file::CreateDirs(parent));
  SLUICE_RETURN_IF_ERROR(storage::Env::Default()->WriteFile(PendingMarkPath(folder), "", /*sync=*/false));
  return sync ? storage::file::SyncDir(parent) : Status::Ok();
}

Status ClearPending(const std::string& folder, bool sync) {
  SLUICE_RETURN_IF_ERROR(storage::file::RemoveFile(PendingMarkPath(folder)));
  return sync ? storage::file::SyncDir(fs::path(folder).parent_path().string()) : Status::Ok();
}

bool IsMarkedPending(const std::string& folder) {
  std::error_code ec;
  return fs::is_regular_file(PendingMarkPath(folder), ec);
}

Status RemoveMarked(const std::string& folder, bool sync) {
  SLUICE_RETURN_IF_ERROR(storage::file::RemoveAll(folder));
  if (sync) SLUICE_RETURN_IF_ERROR(storage::file::SyncDir(fs::path(folder).parent_path().string()));
  return storage::file::RemoveFile(PendingMarkPath(folder));
}

int CountStreamFolders(const std::string& data_dir) {
  int count = 0;
  std::error_code ec;
  for (const fs::path& account : Entries(StreamsRoot(data_dir))) {
    for (const fs::path& region : Entries(account)) {
      for (const fs::path& folder : Entries(region)) count += fs::is_directory(folder, ec) ? 1 : 0;
    }
  }
  return count;
}

void SettleStreamFolders(const std::string& data_dir, const std::set<std::string>& named, bool sync) {
  std::error_code ec;
  for (const fs::path& account : Entries(StreamsRoot(data_dir))) {
    if (!fs::is_directory(account, ec)) {
      LeaveAlone(account);
      continue;
    }
    for (const fs::path& region : Entries(account)) {
      if (!fs::is_directory(region, ec)) {
        LeaveAlone(region);
        continue;
      }
      SettleFolder(region, /*region_level=*/true, named, sync);
    }
  }
}

}  // namespace sluice::engine

#include "cli/config_file.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <set>

namespace sluice::cli {

Status ApplyConfigFile(CLI::App& app, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("--config " + path + ": cannot read the file");
  // CLI11's reader of its TOML subset (the file's values as strings); each
  // value then goes through the flag's own checks, as on the command line.
  CLI::ConfigTOML toml;
  std::vector<CLI::ConfigItem> items;
  try {
    items = toml.from_config(in);
  } catch (const CLI::Error& e) {
    return Status::InvalidArgument("--config " + path + ": " + e.what());
  }
  std::set<std::string> seen;
  for (const CLI::ConfigItem& item : items) {
    const std::string where = "--config " + path + ": ";
    if (!item.parents.empty()) {
      const bool section = item.name == "++" || item.name == "--";
      return Status::InvalidArgument(where +
                                     (section ? "sections ([" + CLI::detail::join(item.parents, ".") + "])"
                                              : "dotted keys (`" + item.fullname() + "`)") +
                                     " are not used: put each key at the top level");
    }
    CLI::Option* opt = app.get_option_no_throw("--" + item.name);
    if (opt == nullptr || !opt->get_configurable() || opt->get_group().empty()) {
      return Status::InvalidArgument(where + "unknown key `" + item.name + "` (`sluice " + app.get_name() +
                                     " --help` lists the flags)");
    }
    // CLI11's reader merges a key repeated on consecutive lines into one item.
    if (!seen.insert(item.name).second || (item.inputs.size() > 1 && opt->get_items_expected_max() == 1)) {
      return Status::InvalidArgument(where + "key `" + item.name + "` is set twice");
    }
    if (opt->count() > 0) continue;  // set on the command line or by its variable
    try {
      if (opt->get_items_expected_min() == 0) {
        opt->add_result(opt->get_flag_value(item.name, toml.to_flag(item)));
      } else {
        opt->add_result(item.inputs);
      }
      opt->run_callback();
    } catch (const CLI::Error& e) {
      return Status::InvalidArgument(where + "`" + item.name + "`: " + e.what());
    }
  }
  return Status::Ok();
}

}  // namespace sluice::cli

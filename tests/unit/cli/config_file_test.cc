// `sluice serve --config FILE`: the file's keys against flags, variables and defaults.
#include "cli/config_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>

#include "cli/serve_config.h"

namespace sluice::cli {
namespace {

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("sluice-config-test-" + std::to_string(getpid()) + ".toml"))
                .string();
    AddServeFlags(serve_, config_);
  }
  void TearDown() override {
    std::filesystem::remove(path_);
    for (const char* name : set_variables_) unsetenv(name);
  }

  void WriteFile(const std::string& text) { std::ofstream(path_) << text; }
  void SetVariable(const char* name, const char* value) {
    setenv(name, value, 1);
    set_variables_.push_back(name);
  }
  // Parses the command line (after `serve`), then applies the file.
  Status Run(const std::string& command_line) {
    serve_.parse(command_line);
    return ApplyConfigFile(serve_, path_);
  }

  std::string path_;
  CLI::App serve_{"test", "serve"};
  ServeConfig config_;
  std::vector<const char*> set_variables_;
};

TEST_F(ConfigFileTest, KeysSetTheFlagsOfTheSameLongName) {
  WriteFile(
      "# a comment\n"
      "data-dir = \"/var/lib/sluice\"  # where the streams live\n"
      "port = 4999\n"
      "durability = \"os\"\n"
      "max-buffered-bytes = 1048576\n");
  ASSERT_TRUE(Run("").ok());
  EXPECT_EQ(config_.data_dir, "/var/lib/sluice");
  EXPECT_EQ(config_.port, 4999);
  EXPECT_EQ(config_.durability, storage::Durability::kOs);
  EXPECT_EQ(config_.max_buffered_bytes, 1048576u);
}

TEST_F(ConfigFileTest, KeysTheFileLacksKeepTheirDefaults) {
  WriteFile("port = 4999\n");
  ASSERT_TRUE(Run("").ok());
  EXPECT_EQ(config_.host, "127.0.0.1");
  EXPECT_EQ(config_.data_dir, "./data");
  EXPECT_EQ(config_.durability, storage::Durability::kFsync);
}

TEST_F(ConfigFileTest, TheCommandLineWinsOverTheVariableAndTheFile) {
  WriteFile("port = 4999\n");
  SetVariable("SLUICE_PORT", "5000");
  ASSERT_TRUE(Run("--port 5001").ok());
  EXPECT_EQ(config_.port, 5001);
}

TEST_F(ConfigFileTest, TheVariableWinsOverTheFile) {
  WriteFile("port = 4999\nregion = \"eu-west-1\"\n");
  SetVariable("SLUICE_PORT", "5000");
  ASSERT_TRUE(Run("").ok());
  EXPECT_EQ(config_.port, 5000);
  EXPECT_EQ(config_.region, "eu-west-1");
}

TEST_F(ConfigFileTest, AnArraySetsARepeatableFlag) {
  WriteFile("limit = [\"shard-write-records=2000\", \"control-plane=1\"]\n");
  ASSERT_TRUE(Run("").ok());
  EXPECT_EQ(config_.limit_overrides, (std::vector<std::string>{"shard-write-records=2000", "control-plane=1"}));
}

TEST_F(ConfigFileTest, BooleansSetAndClearFlags) {
  WriteFile("tls = true\nlog-requests = false\n");
  ASSERT_TRUE(Run("").ok());
  EXPECT_TRUE(config_.tls);
  EXPECT_FALSE(config_.log_requests);
}

TEST_F(ConfigFileTest, AnUnknownKeyIsAnErrorNamingTheFileAndTheKey) {
  WriteFile("port = 4999\ndata_dir = \"/x\"\n");
  Status st = Run("");
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find(path_), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("unknown key `data_dir`"), std::string::npos) << st.message();
}

TEST_F(ConfigFileTest, TheConfigKeyItselfIsUnknown) {
  WriteFile("config = \"/etc/other.toml\"\n");
  EXPECT_NE(Run("").message().find("unknown key `config`"), std::string::npos);
}

TEST_F(ConfigFileTest, ARepeatedKeyIsAnError) {
  WriteFile("port = 1\nport = 2\n");
  EXPECT_NE(Run("").message().find("key `port` is set twice"), std::string::npos);
  WriteFile("port = 1\nhost = \"::1\"\nport = 2\n");
  EXPECT_NE(Run("").message().find("key `port` is set twice"), std::string::npos);
}

TEST_F(ConfigFileTest, SectionsAreAnError) {
  WriteFile("[serve]\nport = 1\n");
  EXPECT_NE(Run("").message().find("sections ([serve]) are not used"), std::string::npos);
}

TEST_F(ConfigFileTest, AValueTheFlagRefusesNamesTheKey) {
  WriteFile("durability = \"fast\"\n");
  Status st = Run("");
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(st.message().find("`durability`: --durability: fast not in"), std::string::npos) << st.message();
  WriteFile("port = 70000\n");
  EXPECT_NE(Run("").message().find("`port`"), std::string::npos);
}

TEST_F(ConfigFileTest, AFileThatCannotBeReadIsAnError) {
  EXPECT_EQ(ApplyConfigFile(serve_, path_ + ".missing").message(),
            "--config " + path_ + ".missing: cannot read the file");
}

}  // namespace
}  // namespace sluice::cli

#include "cli/commands.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>

namespace sluice::cli {
namespace {

// sluice {stream {create, list, delete}, put, get}
class UnknownCommandTest : public ::testing::Test {
 protected:
  UnknownCommandTest() {
    CLI::App* stream = app_.add_subcommand("stream");
    stream->add_subcommand("create");
    stream->add_subcommand("list");
    stream->add_subcommand("delete");
    app_.add_subcommand("put");
    app_.add_subcommand("get");
  }
  CLI::App app_;
};

TEST_F(UnknownCommandTest, AMistypedSubCommandGetsTheNameMeant) {
  EXPECT_EQ(UnknownCommandMessage(app_, {"stream", "craete", "orders"}),
            "unknown command 'craete'; did you mean 'create'?");
  EXPECT_EQ(UnknownCommandMessage(app_, {"strem", "list"}), "unknown command 'strem'; did you mean 'stream'?");
  EXPECT_EQ(UnknownCommandMessage(app_, {"stream", "--json", "lst"}), "unknown command 'lst'; did you mean 'list'?");
}

TEST_F(UnknownCommandTest, AFarNameGetsTheNamesThereAre) {
  EXPECT_EQ(UnknownCommandMessage(app_, {"stream", "banana"}),
            "unknown command 'banana' (the commands here: create, list, delete)");
}

TEST_F(UnknownCommandTest, KnownCommandsAndTheirArgumentsAreNotJudged) {
  EXPECT_EQ(UnknownCommandMessage(app_, {"stream", "create", "craete"}), std::nullopt);
  EXPECT_EQ(UnknownCommandMessage(app_, {"put", "strem"}), std::nullopt);
  EXPECT_EQ(UnknownCommandMessage(app_, {"stream"}), std::nullopt);
  EXPECT_EQ(UnknownCommandMessage(app_, {"--help"}), std::nullopt);
}

class BenchEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : kVars) unsetenv(v);
  }
  void TearDown() override {
    for (const char* v : kVars) unsetenv(v);
  }
  static constexpr const char* kVars[] = {"SLUICE_ENDPOINT", "AWS_ENDPOINT_URL_KINESIS", "AWS_ENDPOINT_URL"};
};

TEST_F(BenchEndpointTest, TheEnvironmentsEndpointIsAddedWhenNoneIsGiven) {
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9001", 1);
  EXPECT_EQ(BenchArgsWithEndpoint({"bench", "--workloads", "put"}),
            (std::vector<std::string>{"bench", "--workloads", "put", "--endpoint", "http://127.0.0.1:9001"}));
  setenv("SLUICE_ENDPOINT", "http://127.0.0.1:9002", 1);
  EXPECT_EQ(BenchArgsWithEndpoint({"bench"}),
            (std::vector<std::string>{"bench", "--endpoint", "http://127.0.0.1:9002"}));
}

TEST_F(BenchEndpointTest, AnEndpointFlagWinsAndNoEnvironmentAddsNothing) {
  EXPECT_EQ(BenchArgsWithEndpoint({"bench"}), std::vector<std::string>{"bench"});
  setenv("SLUICE_ENDPOINT", "http://127.0.0.1:9002", 1);
  EXPECT_EQ(BenchArgsWithEndpoint({"bench", "--endpoint", "http://h:1"}),
            (std::vector<std::string>{"bench", "--endpoint", "http://h:1"}));
  EXPECT_EQ(BenchArgsWithEndpoint({"bench", "--endpoint=http://h:1"}),
            (std::vector<std::string>{"bench", "--endpoint=http://h:1"}));
}

}  // namespace
}  // namespace sluice::cli

// Drives a DynamoDB service directly, as the gateway would: one call, its
// answer (which a memory-mode or shared table gives inline).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

#include "gateway/service.h"

namespace sluice::dynamodb_testing {

inline gateway::ServiceResponse CallService(gateway::Service& service, std::string_view operation,
                                            std::string_view body) {
  server::HttpRequest http;
  http.method = "POST";
  http.target = "/";
  http.body = body;
  std::optional<gateway::ServiceResponse> answer;
  service.Handle(gateway::ServiceRequest{http, operation, "", ""},
                 [&](gateway::ServiceResponse r) { answer = std::move(r); });
  EXPECT_TRUE(answer.has_value()) << "the answer comes inline";
  return answer.value_or(gateway::ServiceResponse{});
}

}  // namespace sluice::dynamodb_testing

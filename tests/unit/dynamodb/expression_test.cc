#include <gtest/gtest.h>
#include <simdjson.h>

#include "dynamodb/expression.h"
#include "dynamodb/expression_eval.h"

namespace sluice::dynamodb {
namespace {

Item ParseItem(const std::string& json) {
  static simdjson::dom::parser parser;
  Result<Item> item = ItemFromJson(parser.parse(json).value());
  EXPECT_TRUE(item.ok()) << item.status().message();
  return *item;
}

class ExpressionTest : public testing::Test {
 protected:
  ExpressionTest() {
    names_ = {{"#n", "name"}, {"#s", "status"}};
    values_ = ParseItem(R"({":one":{"N":"1"},":two":{"N":"2"},":ten":{"N":"10"},":a":{"S":"a"},
        ":ab":{"S":"ab"},":S":{"S":"S"},":list":{"L":[{"N":"9"}]},":set":{"SS":["x"]}})");
    item_ = ParseItem(R"({"id":{"S":"k"},"name":{"S":"abc"},"count":{"N":"2"},"tags":{"SS":["x","y"]},
        "nested":{"M":{"inner":{"L":[{"N":"1"},{"M":{"deep":{"S":"v"}}}]}}},"flag":{"BOOL":true}})");
  }

  // Parses and evaluates a condition against item_.
  Result<bool> Holds(const std::string& text) {
    Placeholders p;
    p.names = &names_;
    p.values = &values_;
    Result<Condition> c = ParseCondition(text, "ConditionExpression", p);
    if (!c.ok()) return c.status();
    return Evaluate(*c, item_);
  }

  std::string Error(const std::string& text) {
    Result<bool> r = Holds(text);
    return r.ok() ? "no error" : r.status().message();
  }

  // Applies an update to a copy of item_.
  Result<Item> Updated(const std::string& text) {
    Placeholders p;
    p.names = &names_;
    p.values = &values_;
    Result<UpdateExpression> u = ParseUpdate(text, p);
    if (!u.ok()) return u.status();
    Item copy = item_;
    SLUICE_RETURN_IF_ERROR(ApplyUpdate(*u, &copy));
    return copy;
  }

  std::map<std::string, std::string> names_;
  Item values_;
  Item item_;
};

TEST_F(ExpressionTest, ComparatorsCompareNumbersByValue) {
  EXPECT_TRUE(*Holds("#n = :a OR count = :two"));
  EXPECT_TRUE(*Holds("count < :ten"));  // 2 < 10 numerically, not as text
  EXPECT_TRUE(*Holds("count <= :two AND count >= :two"));
  EXPECT_FALSE(*Holds("count > :two"));
  EXPECT_TRUE(*Holds("count <> :one"));
}

TEST_F(ExpressionTest, AMissingAttributeIsUnequalAndUnordered) {
  EXPECT_FALSE(*Holds("missing = :one"));
  EXPECT_TRUE(*Holds("missing <> :one"));
  EXPECT_FALSE(*Holds("missing < :one"));
  EXPECT_FALSE(*Holds("missing >= :one"));
}

TEST_F(ExpressionTest, OrderingAcrossTypesIsFalse) { EXPECT_FALSE(*Holds("#n < :one")); }

TEST_F(ExpressionTest, BetweenAndInHold) {
  EXPECT_TRUE(*Holds("count BETWEEN :one AND :ten"));
  EXPECT_FALSE(*Holds("count between :ten AND :ten"));
  EXPECT_TRUE(*Holds("count IN (:one, :two)"));
  EXPECT_FALSE(*Holds("count IN (:one, :ten)"));
}

TEST_F(ExpressionTest, AndBindsTighterThanOrAndParenthesesRegroup) {
  EXPECT_TRUE(*Holds("count = :two OR count = :one AND count = :ten"));
  EXPECT_FALSE(*Holds("(count = :two OR count = :one) AND count = :ten"));
  EXPECT_TRUE(*Holds("NOT count = :one"));
  EXPECT_FALSE(*Holds("NOT NOT count = :one"));
}

TEST_F(ExpressionTest, FunctionsTestExistenceTypePrefixAndMembership) {
  EXPECT_TRUE(*Holds("attribute_exists(#n) AND attribute_not_exists(other)"));
  EXPECT_TRUE(*Holds("attribute_type(#n, :S)"));
  EXPECT_TRUE(*Holds("begins_with(#n, :ab)"));
  EXPECT_FALSE(*Holds("begins_with(count, :a)"));
  EXPECT_TRUE(*Holds("contains(#n, :ab)"));
  EXPECT_FALSE(*Holds("contains(tags, :a)"));    // a string set holds x and y
  EXPECT_FALSE(*Holds("contains(tags, :set)"));  // a member is a string, not a set
  EXPECT_TRUE(*Holds("contains(nested.inner, :one)"));
  EXPECT_TRUE(*Holds("size(tags) = :two AND size(#n) > :two"));
}

TEST_F(ExpressionTest, DocumentPathsReachIntoMapsAndLists) {
  EXPECT_TRUE(*Holds("attribute_exists(nested.inner[1].deep)"));
  EXPECT_FALSE(*Holds("attribute_exists(nested.inner[2])"));
  EXPECT_TRUE(*Holds("nested.inner[0] = :one"));
}

TEST_F(ExpressionTest, UndefinedPlaceholdersAreNamed) {
  EXPECT_EQ(Error("#x = :one"),
            "Invalid ConditionExpression: An expression attribute name used in the document "
            "path is not defined; attribute name: #x");
  EXPECT_EQ(Error("count = :nope"),
            "Invalid ConditionExpression: An expression attribute value used in expression "
            "is not defined; attribute value: :nope");
}

TEST_F(ExpressionTest, UnusedPlaceholdersAreReported) {
  Placeholders p;
  p.names = &names_;
  p.values = &values_;
  ASSERT_TRUE(ParseCondition("#n = :a", "ConditionExpression", p).ok());
  EXPECT_EQ(CheckAllPlaceholdersUsed(p).message(),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#s}");
}

TEST_F(ExpressionTest, SyntaxErrorsNameTheToken) {
  EXPECT_EQ(Error("count = "), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(Error("count == :one"), "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = :one\"");
  EXPECT_EQ(Error(""), "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(Error("count = :one)"), "Invalid ConditionExpression: Syntax error; token: \")\", near: \":one )\"");
}

TEST_F(ExpressionTest, FunctionErrorsFollowTheService) {
  EXPECT_EQ(Error("nosuch(count)"), "Invalid ConditionExpression: Invalid function name; function: nosuch");
  EXPECT_EQ(Error("attribute_exists(:one)"),
            "Invalid ConditionExpression: Operator or function requires a document path; operator or function: "
            "attribute_exists");
  EXPECT_EQ(Error("attribute_type(count, :a)"),
            "Invalid ConditionExpression: Invalid attribute type name found; type: a, valid types: "
            "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
  EXPECT_EQ(Error("count BETWEEN :ten AND :one"),
            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to "
            "lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:1}");
}

TEST_F(ExpressionTest, SetComputesFromTheOldItemWithArithmetic) {
  Result<Item> u = Updated("SET count = count + :ten, other = count - :one, #n = :a");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->at("count").scalar, "12");
  EXPECT_EQ(u->at("other").scalar, "1");  // the old count, 2, minus 1
  EXPECT_EQ(u->at("name").scalar, "a");
}

TEST_F(ExpressionTest, IfNotExistsAndListAppend) {
  Result<Item> u = Updated(
      "SET fresh = if_not_exists(fresh, :one), count = if_not_exists(count, :ten), "
      "nested.inner = list_append(nested.inner, :list)");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->at("fresh").scalar, "1");
  EXPECT_EQ(u->at("count").scalar, "2");
  EXPECT_EQ(u->at("nested").map.at("inner").list.size(), 3u);
}

TEST_F(ExpressionTest, RemoveAddAndDelete) {
  Result<Item> u = Updated("REMOVE #n, nested.inner[0] ADD count :one, tags :set DELETE flagset :set");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_FALSE(u->count("name"));
  EXPECT_EQ(u->at("count").scalar, "3");
  EXPECT_EQ(u->at("nested").map.at("inner").list.size(), 1u);
  u = Updated("DELETE tags :set");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->at("tags").set, std::vector<std::string>{"y"});
}

TEST_F(ExpressionTest, UpdateErrorsFollowTheService) {
  EXPECT_EQ(Updated("SET a = missing + :one").status().message(),
            "The provided expression refers to an attribute that does not exist in the item");
  EXPECT_EQ(Updated("SET a = #n + :one").status().message(),
            "An operand in the update expression has an incorrect data type");
  EXPECT_EQ(Updated("ADD count :a").status().message(),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand "
            "type: STRING");
  EXPECT_EQ(Updated("SET a = :one SET b = :two").status().message(),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;");
  EXPECT_EQ(Updated("SET a = :one REMOVE a").status().message(),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of "
            "these paths; path one: [a], path two: [a]");
  EXPECT_EQ(Updated("SET nope.deeper = :one").status().message(),
            "The document path provided in the update expression is invalid for update");
}

TEST_F(ExpressionTest, ProjectionKeepsTheNamedPartsOnly) {
  Placeholders p;
  p.names = &names_;
  p.values = &values_;
  Result<std::vector<Path>> paths = ParseProjection("#n, nested.inner[1].deep", p);
  ASSERT_TRUE(paths.ok());
  Item projected = Project(item_, *paths);
  EXPECT_EQ(ItemToJson(projected), R"({"name":{"S":"abc"},"nested":{"M":{"inner":{"L":[{"M":{"deep":{"S":"v"}}}]}}}})");
}

}  // namespace
}  // namespace sluice::dynamodb

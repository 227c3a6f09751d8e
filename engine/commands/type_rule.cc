// Seed 003: 不存在家庭年人均纯收入高于6000元错误分类为脱贫不稳定户和边缘易致贫户，家庭人均纯收入低于
// 6000元错误分类为突发严重困难户的情况; 边缘易致贫户 are households that were not registered poor.
#include "engine/commands/type_rule.h"

#include <cmath>
#include <cstdio>

#include "engine/core/fields.h"

namespace dixian::engine {

namespace {

std::string Yuan(double v) {
  char buf[32];
  if (std::floor(v) == v) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

Error Violated(const std::string& why) {
  return Error::Unprocessable("type_rule_violated",
                              "监测类型与家庭情况不符（类型与收入、建档立卡规则）：" + why +
                                  "。如确需认定，须由县级专责以 override 越过并填写说明（comment）");
}

}  // namespace

Status CheckTypeRule(MonitoringType type, const Household& hh, double line) {
  const double income = hh.income_per_capita;
  const std::string figures =
      "该户人均纯收入 " + Yuan(income) + " 元，" + (income > line ? "高于 " : "低于 ") + Yuan(line) + " 元";
  if (income > line &&
      (type == MonitoringType::kUnstableFormerPoor || type == MonitoringType::kMarginal))
    return Violated(figures + "，不能认定为" + Label(type));
  if (income < line && type == MonitoringType::kSuddenHardship)
    return Violated(figures + "，不能认定为" + Label(type));
  if (type == MonitoringType::kMarginal && hh.registered_poor)
    return Violated("该户为建档立卡户，边缘易致贫户须为非建档立卡户，不能认定为" + Label(type));
  return OkStatus();
}

Result<nlohmann::json> ApplyTypeRule(const Principal& who, Status violation, bool override,
                                     const std::string& comment) {
  if (violation.ok()) return nlohmann::json();
  if (!override) return violation.error();
  if (who.user.role != Role::kCountyOfficer)
    return Error::Forbidden("只有县级专责可以越过监测类型规则（override）");
  if (comment.empty()) return MissingField("comment");
  return nlohmann::json{{"rule", violation.error().message}, {"comment", comment}};
}

}  // namespace dixian::engine

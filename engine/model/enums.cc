#include "engine/model/enums.h"

#include <map>

namespace dixian::engine {

const std::vector<EnumEntry<Role>>& EnumEntries(std::type_identity<Role>) {
  static const std::vector<EnumEntry<Role>> k = {
      {Role::kVillageClerk, "village_clerk", "村级填报员"},
      {Role::kTownshipReviewer, "township_reviewer", "乡镇审核员"},
      {Role::kCountyOfficer, "county_officer", "县级审定人员"},
      {Role::kDepartmentOfficer, "department_officer", "行业部门人员"},
      {Role::kProvinceOfficer, "province_officer", "省级备案人员"},
      {Role::kContactPerson, "contact_person", "帮扶联系人"},
      {Role::kSupervisor, "supervisor", "督导人员"},
      {Role::kAdmin, "admin", "管理员"},
  };
  return k;
}

const std::vector<EnumEntry<OrgLevel>>& EnumEntries(std::type_identity<OrgLevel>) {
  static const std::vector<EnumEntry<OrgLevel>> k = {
      {OrgLevel::kProvince, "province", "省级"}, {OrgLevel::kCity, "city", "市级"},
      {OrgLevel::kCounty, "county", "县级"},     {OrgLevel::kTownship, "township", "乡镇级"},
      {OrgLevel::kVillage, "village", "村级"},
  };
  return k;
}

const std::vector<EnumEntry<Department>>& EnumEntries(std::type_identity<Department>) {
  static const std::vector<EnumEntry<Department>> k = {
      {Department::kMedical, "medical", "医疗保障部门"},
      {Department::kHealth, "health", "卫生健康部门"},
      {Department::kCivilAffairs, "civil_affairs", "民政部门"},
      {Department::kEducation, "education", "教育部门"},
      {Department::kHousing, "housing", "住房城乡建设部门"},
      {Department::kWater, "water", "水利部门"},
      {Department::kHumanResources, "human_resources", "人力资源社会保障部门"},
      {Department::kDisability, "disability", "残联"},
      {Department::kAgriculture, "agriculture", "农业农村部门"},
  };
  return k;
}

const std::vector<EnumEntry<MonitoringType>>& EnumEntries(std::type_identity<MonitoringType>) {
  static const std::vector<EnumEntry<MonitoringType>> k = {
      {MonitoringType::kUnstableFormerPoor, "unstable_former_poor", "脱贫不稳定户"},
      {MonitoringType::kMarginal, "marginal", "边缘易致贫户"},
      {MonitoringType::kSuddenHardship, "sudden_hardship", "突发严重困难户"},
  };
  return k;
}

const std::vector<EnumEntry<MonitoringStatus>>& EnumEntries(std::type_identity<MonitoringStatus>) {
  static const std::vector<EnumEntry<MonitoringStatus>> k = {
      {MonitoringStatus::kRiskActive, "risk_active", "风险未消除"},
      {MonitoringStatus::kRiskEliminated, "risk_eliminated", "风险已消除"},
      {MonitoringStatus::kRemoved, "removed", "已清退"},
  };
  return k;
}

const std::vector<EnumEntry<Cause>>& EnumEntries(std::type_identity<Cause>) {
  static const std::vector<EnumEntry<Cause>> k = {
      {Cause::kIllness, "illness", "因病"},
      {Cause::kDisability, "disability", "因残"},
      {Cause::kSchooling, "schooling", "因学"},
      {Cause::kDisaster, "disaster", "因灾"},
      {Cause::kAccident, "accident", "因意外事故"},
      {Cause::kUnstableEmployment, "unstable_employment", "因务工就业不稳"},
      {Cause::kBusinessFailure, "business_failure", "因产业项目失败"},
      {Cause::kNoLabour, "no_labour", "缺劳力"},
      {Cause::kUnsafeHousing, "unsafe_housing", "因安全住房"},
      {Cause::kEpidemic, "epidemic", "因疫情"},
      {Cause::kOther, "other", "其他"},
  };
  return k;
}

const std::vector<EnumEntry<VisitMode>>& EnumEntries(std::type_identity<VisitMode>) {
  static const std::vector<EnumEntry<VisitMode>> k = {
      {VisitMode::kHome, "home", "入户走访"},
      {VisitMode::kPhone, "phone", "电话回访"},
      {VisitMode::kWechat, "wechat", "微信回访"},
  };
  return k;
}

const std::vector<EnumEntry<TaskStatus>>& EnumEntries(std::type_identity<TaskStatus>) {
  static const std::vector<EnumEntry<TaskStatus>> k = {
      {TaskStatus::kOpen, "open", "待办"},
      {TaskStatus::kDone, "done", "已办结"},
      {TaskStatus::kCancelled, "cancelled", "已取消"},
  };
  return k;
}

const std::vector<EnumEntry<NoticeKind>>& EnumEntries(std::type_identity<NoticeKind>) {
  static const std::vector<EnumEntry<NoticeKind>> k = {
      {NoticeKind::kNewTask, "new_task", "新待办"}, {NoticeKind::kReminder, "reminder", "提醒"},
      {NoticeKind::kOverdue, "overdue", "逾期"},    {NoticeKind::kEscalation, "escalation", "督办"},
      {NoticeKind::kDigest, "digest", "督办日报"},  {NoticeKind::kTest, "test", "测试消息"},
      {NoticeKind::kAnnouncement, "announcement", "公告"},
  };
  return k;
}

const std::vector<EnumEntry<MovementKind>>& EnumEntries(std::type_identity<MovementKind>) {
  static const std::vector<EnumEntry<MovementKind>> k = {
      {MovementKind::kAdmitted, "admitted", "新识别"},
      {MovementKind::kRiskEliminated, "risk_eliminated", "标注风险消除"},
      {MovementKind::kRemoved, "removed", "清退"},
      {MovementKind::kReflagged, "reflagged", "风险消除回退"},
      {MovementKind::kTypeChanged, "type_changed", "变更监测类型"},
  };
  return k;
}

const std::vector<EnumEntry<Relation>>& EnumEntries(std::type_identity<Relation>) {
  static const std::vector<EnumEntry<Relation>> k = {
      {Relation::kHead, "head", "户主"},       {Relation::kSpouse, "spouse", "配偶"},
      {Relation::kChild, "child", "子女"},     {Relation::kParent, "parent", "父母"},
      {Relation::kGrandchild, "grandchild", "孙子女"}, {Relation::kSibling, "sibling", "兄弟姐妹"},
      {Relation::kOther, "other", "其他"},
  };
  return k;
}

const std::vector<EnumEntry<Labour>>& EnumEntries(std::type_identity<Labour>) {
  static const std::vector<EnumEntry<Labour>> k = {
      {Labour::kFull, "full", "有劳动能力"},
      {Labour::kWeak, "weak", "弱劳动力或半劳动力"},
      {Labour::kNone, "none", "无劳动能力"},
  };
  return k;
}

const std::vector<EnumEntry<Sex>>& EnumEntries(std::type_identity<Sex>) {
  static const std::vector<EnumEntry<Sex>> k = {{Sex::kMale, "male", "男"},
                                                {Sex::kFemale, "female", "女"}};
  return k;
}

const std::vector<EnumEntry<LeadSource>>& EnumEntries(std::type_identity<LeadSource>) {
  static const std::vector<EnumEntry<LeadSource>> k = {
      {LeadSource::kSelfReport, "self_report", "农户自主申报"},
      {LeadSource::kGrassroots, "grassroots", "基层排查"},
      {LeadSource::kDepartment, "department", "部门筛查预警"},
      {LeadSource::kProvince, "province", "省级预警下发"},
  };
  return k;
}

const std::vector<EnumEntry<LeadStatus>>& EnumEntries(std::type_identity<LeadStatus>) {
  static const std::vector<EnumEntry<LeadStatus>> k = {{LeadStatus::kOpen, "open", "待核实"},
                                                       {LeadStatus::kResolved, "resolved", "已核实"}};
  return k;
}

const std::vector<EnumEntry<LeadOutcome>>& EnumEntries(std::type_identity<LeadOutcome>) {
  static const std::vector<EnumEntry<LeadOutcome>> k = {
      {LeadOutcome::kIdentification, "identification", "转入识别纳入"},
      {LeadOutcome::kAlert, "alert", "转入风险预警"},
      {LeadOutcome::kNoRisk, "no_risk", "核实无风险"},
  };
  return k;
}

namespace {
const std::vector<std::pair<std::string, std::string>>& MeasureKindTable() {
  static const std::vector<std::pair<std::string, std::string>> k = {{"minimum_living", "低保"},
                                                       {"disability_allowance", "残疾人补贴"},
                                                       {"education", "教育帮扶"},
                                                       {"industry", "产业奖补"},
                                                       {"employment", "就业奖补"},
                                                       {"medical", "医疗保障"},
                                                       {"housing", "危房改造"},
                                                       {"temporary_relief", "临时救助"},
                                                       {"extreme_poverty", "特困供养"},
                                                       {"water", "饮水安全"},
                                                       {"public_welfare_job", "公益岗位"},
                                                       {"microcredit", "小额信贷"},
                                                       {"other", "其他"}};
  return k;
}
}  // namespace

std::string MeasureLabel(const std::string& kind) {
  for (const auto& [name, label] : MeasureKindTable())
    if (name == kind) return label;
  return kind;
}

std::vector<std::string> MeasureKinds() {
  std::vector<std::string> out;
  for (const auto& [name, label] : MeasureKindTable()) out.push_back(name);
  return out;
}

const std::vector<EnumEntry<EvidenceKind>>& EnumEntries(std::type_identity<EvidenceKind>) {
  static const std::vector<EnumEntry<EvidenceKind>> k = {
      {EvidenceKind::kMeetingMinutes, "meeting_minutes", "民主评议会议记录"},
      {EvidenceKind::kVisitPhoto, "visit_photo", "入户照片"},
      {EvidenceKind::kSignedForm, "signed_form", "签字材料"},
      {EvidenceKind::kOther, "other", "其他材料"},
  };
  return k;
}

}  // namespace dixian::engine

// Chinese names for the contract's codes (DOMAIN.md terms). Unknown codes fall back to the code.

export const ROLES = {
  village_clerk: '村级填报员',
  township_reviewer: '乡镇审核员',
  county_officer: '县级审定',
  department_officer: '行业部门',
  province_officer: '省级备案',
  contact_person: '帮扶联系人',
  supervisor: '督导',
  admin: '管理员',
};

export const TYPES = {
  unstable_former_poor: '脱贫不稳定户',
  marginal: '边缘易致贫户',
  sudden_hardship: '突发严重困难户',
};

export const STATUSES = {
  risk_active: '风险未消除',
  risk_eliminated: '风险已消除',
  removed: '已清退',
};

export const CAUSES = {
  illness: '因病',
  disability: '因残',
  schooling: '因学',
  disaster: '因灾',
  accident: '因意外事故',
  unstable_employment: '因务工就业不稳',
  business_failure: '因产业项目失败',
  no_labour: '缺劳力',
  unsafe_housing: '因安全住房',
  epidemic: '因疫情',
  other: '其他',
};

export const DEPARTMENTS = {
  medical: '医保',
  health: '卫健',
  civil_affairs: '民政',
  education: '教育',
  housing: '住建',
  water: '水利',
  human_resources: '人社',
  disability: '残联',
  agriculture: '农业农村',
};

export const WORKFLOWS = {
  identification: '识别纳入',
  alert: '预警处置',
  risk_elimination: '风险消除',
  removal: '清退',
  reflag: '风险消除回退（再标注）',
};

// Generic words for actions and events; a step's own label (from the server) wins where given.
export const ACTIONS = {
  create: '发起',
  submit: '提交',
  approve: '通过',
  return: '退回',
  reject: '不予通过',
  withdraw: '撤回',
  object: '异议',
  notice_passed: '公示期满',
  fast_track: '先行救助',
  escalate: '逾期督办',
  remind: '到期提醒',
  urge: '催办',
  transfer: '转办',
  assign_contact: '明确帮扶联系人',
  record_measure: '登记帮扶措施',
  log_visit: '登记走访',
  handover_done: '确认移交',
  // What the engine records by itself (actor 系统) or outside a case's chain.
  overdue: '逾期',
  reassign: '改派',
  task_done: '办结待办',
  visit: '走访',
  household_create: '新增户',
  update_household: '变更户信息',
  record_lead: '登记线索',
  resolve_lead: '核实线索',
  org_create: '新增单位',
  user_create: '新增用户',
  channel_create: '新增推送渠道',
  revoke_token: '停用令牌',
  reissue_token: '重发令牌',
  move_user: '调整人员所属单位',
  release_contact: '解除帮扶联系人',
  attach_evidence: '上传佐证材料',
};

// Follow-up steps (case is null) and the usual chain states; the server's step_label wins.
export const STEPS = {
  handover: '移交乡镇和行业部门',
  assign_contact: '明确帮扶联系人',
  measures: '落实帮扶措施',
  visit: '每月走访',
  visit_quarterly: '每季度走访',
  village_fill: '村级填报',
  village_review: '村级核实评议',
  township_review: '乡镇审核',
  county_review: '县级审定',
  county_decide: '县级审定',
  department_remedy: '行业部门限时补短',
  province_filing: '省级备案',
  approved: '已通过',
  rejected: '不予通过',
  closed: '已办结',
  done: '已办结',
};

export const ALERT_ITEMS = {
  food: '吃', clothing: '穿', education: '义务教育', medical: '基本医疗',
  housing: '住房安全', water: '饮水安全', income: '收入',
};

export const VISIT_MODES = { home: '入户走访', phone: '电话', wechat: '微信' };

// Measure kinds offered in the form; the server decides which it accepts.
export const MEASURE_KINDS = {
  minimum_living: '低保',
  extreme_poverty: '特困供养',
  temporary_relief: '临时救助',
  disability_allowance: '残疾人补贴',
  education: '教育帮扶',
  industry: '产业奖补',
  employment: '就业奖补',
  medical: '医疗保障',
  housing: '危房改造',
  water: '饮水安全',
  public_welfare_job: '公益岗位',
  microcredit: '小额信贷',
  other: '其他',
};

export const LEVELS = { province: '省', city: '市', county: '县', township: '乡镇', village: '村' };

// Which chains a village clerk may start, by the household's monitoring status ('none' when it
// is not monitored), and the data each needs (mirrors workflows/*.json: the server decides).
export const START_RULES = {
  identification: { statuses: ['none', 'removed'], fields: ['type', 'primary_cause', 'causes', 'income_per_capita'] },
  alert: { statuses: ['risk_active', 'risk_eliminated'], fields: ['item'] },
  risk_elimination: { statuses: ['risk_active'], fields: [] },
  removal: { statuses: ['risk_active', 'risk_eliminated'], fields: ['reason'] },
  reflag: { statuses: ['risk_eliminated'], fields: [] },
};

export const REMOVAL_REASONS = {
  public_employee: '家庭成员有财政供养人员',
  car: '购买非生产经营性小轿车',
  business: '经营公司或个体工商户',
  large_farmer: '种养殖大户',
  other: '其他',
};

export function label(table, code) {
  if (code === null || code === undefined || code === '') return '—';
  return table[code] || String(code);
}

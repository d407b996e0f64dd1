import type { Lang } from './model.js';

/**
 * Every message a person may read, in both languages. Keys are stable error codes;
 * `{name}` placeholders are filled from the error's params.
 */
export const MESSAGES: Record<string, Record<Lang, string>> = {
  // generic HTTP problems
  NOT_FOUND: { en: 'Not found.', 'zh-CN': '未找到。' },
  ROUTE_NOT_FOUND: { en: 'No such endpoint: {path}.', 'zh-CN': '没有这个接口：{path}。' },
  OBJECT_NOT_FOUND: { en: 'Object "{object}" does not exist.', 'zh-CN': '对象“{object}”不存在。' },
  RECORD_NOT_FOUND: {
    en: 'Record {id} of "{object}" does not exist.',
    'zh-CN': '“{object}”中不存在记录 {id}。',
  },
  UNAUTHENTICATED: {
    en: 'Sign in or send a valid bearer token.',
    'zh-CN': '请登录，或提供有效的 Bearer 令牌。',
  },
  FORBIDDEN: {
    en: 'Only tenant administrators may do this.',
    'zh-CN': '只有租户管理员可以执行此操作。',
  },
  LOGIN_FAILED: {
    en: 'Wrong tenant, user name or password.',
    'zh-CN': '租户、用户名或密码错误。',
  },
  TOO_MANY_ATTEMPTS: {
    en: 'Too many sign-in attempts. Wait {seconds} seconds and try again.',
    'zh-CN': '登录尝试次数过多。请等待 {seconds} 秒后重试。',
  },
  WEAK_PASSWORD: {
    en: 'A password needs at least {min} characters.',
    'zh-CN': '密码至少需要 {min} 个字符。',
  },
  NO_OBJECT_ACCESS: {
    en: 'You have no permission to {op} records of "{object}".',
    'zh-CN': '你没有{op}“{object}”记录的权限。',
  },
  NO_RECORD_ACCESS: {
    en: 'You may see record {id} but not change it. Ask its owner or your manager.',
    'zh-CN': '你可以查看记录 {id}，但无权修改。请联系记录负责人或你的上级。',
  },
  FIELD_NOT_EDITABLE: {
    en: 'You may not change field "{field}".',
    'zh-CN': '你无权修改字段“{field}”。',
  },
  TOKEN_SCOPE: {
    en: 'This API token lacks the "{scope}" scope.',
    'zh-CN': '此 API 令牌缺少“{scope}”权限范围。',
  },
  USER_LOOKUP_ARGS: {
    en: 'Send either ids (1 to {max} user ids, comma-separated) or q (a name or email prefix of at most {maxLength} characters), not both.',
    'zh-CN':
      '请提供 ids（1 到 {max} 个以逗号分隔的用户 id）或 q（最多 {maxLength} 个字符的姓名或邮箱前缀）二者之一。',
  },
  TOO_MANY_IDS: {
    en: 'At most {max} ids at a time; {count} were sent.',
    'zh-CN': '一次最多 {max} 个 id，实际提供了 {count} 个。',
  },
  BAD_USER_ID: { en: '"{id}" is not a user id.', 'zh-CN': '“{id}”不是有效的用户 id。' },
  INVALID_JSON: { en: 'The request body is not valid JSON.', 'zh-CN': '请求体不是合法的 JSON。' },
  PAYLOAD_TOO_LARGE: { en: 'The request body is too large.', 'zh-CN': '请求体过大。' },
  BAD_REQUEST: { en: 'The request is not valid: {reason}', 'zh-CN': '请求无效：{reason}' },
  UNKNOWN_PARAMETER: {
    en: 'Unknown query parameter "{name}". Allowed: {allowed}.',
    'zh-CN': '未知的查询参数“{name}”。允许的参数：{allowed}。',
  },
  INTERNAL: {
    en: 'Something went wrong on our side. Try again; if it keeps happening, report request {requestId}.',
    'zh-CN': '服务器内部出错。请重试；如果一直出现，请报告请求编号 {requestId}。',
  },
  SERVICE_UNAVAILABLE: {
    en: 'The database is busy ({reason}). Try again in a moment.',
    'zh-CN': '数据库繁忙（{reason}）。请稍后重试。',
  },
  // records
  VALIDATION_FAILED: {
    en: 'The record is not valid: see the errors listed for each field.',
    'zh-CN': '记录未通过校验，请查看各字段列出的错误。',
  },
  VERSION_CONFLICT: {
    en: 'The record was changed by someone else (current version {current}). Reload it and apply your change again.',
    'zh-CN': '该记录已被他人修改（当前版本 {current}）。请重新加载后再修改。',
  },
  PRECONDITION_INVALID: {
    en: 'The If-Match header must be an ETag such as "3".',
    'zh-CN': 'If-Match 请求头必须是形如 "3" 的 ETag。',
  },
  STILL_REFERENCED: {
    en: 'This record is still referenced by other records ({detail}). Remove those references first.',
    'zh-CN': '该记录仍被其他记录引用（{detail}）。请先解除这些引用。',
  },
  UNIQUE_VIOLATION: {
    en: 'Another record already has this value.',
    'zh-CN': '已有其他记录使用了这个值。',
  },
  BATCH_TOO_LARGE: {
    en: 'A batch holds at most {max} operations; this one has {count}.',
    'zh-CN': '一个批次最多 {max} 条操作，此批次有 {count} 条。',
  },
  BATCH_FAILED: {
    en: 'Operation {index} of the batch failed; nothing was saved.',
    'zh-CN': '批次中第 {index} 条操作失败，所有数据均未保存。',
  },
  // field-level
  REQUIRED: { en: 'This field is required.', 'zh-CN': '此字段为必填项。' },
  UNKNOWN_FIELD: { en: 'Unknown field "{field}".', 'zh-CN': '未知字段“{field}”。' },
  READ_ONLY_FIELD: {
    en: 'Field "{field}" is maintained by the system and cannot be written.',
    'zh-CN': '字段“{field}”由系统维护，不能写入。',
  },
  WRONG_TYPE: { en: 'Expected {expected}.', 'zh-CN': '应为{expected}。' },
  TOO_LONG: { en: 'At most {limit} characters.', 'zh-CN': '最多 {limit} 个字符。' },
  TOO_SHORT: { en: 'At least {limit} characters.', 'zh-CN': '至少 {limit} 个字符。' },
  TOO_SMALL: { en: 'Must be at least {limit}.', 'zh-CN': '不能小于 {limit}。' },
  TOO_LARGE: { en: 'Must be at most {limit}.', 'zh-CN': '不能大于 {limit}。' },
  TOO_MANY_DECIMALS: { en: 'At most {scale} decimal places.', 'zh-CN': '最多 {scale} 位小数。' },
  NOT_AN_OPTION: {
    en: '"{value}" is not an option of this field.',
    'zh-CN': '“{value}”不是此字段的可选值。',
  },
  BAD_FORMAT: { en: 'Not a valid {format}.', 'zh-CN': '不是有效的{format}。' },
  DUPLICATE_ITEMS: { en: 'Values must not repeat.', 'zh-CN': '值不能重复。' },
  LOOKUP_NOT_FOUND: {
    en: 'No "{target}" record with id {id}.',
    'zh-CN': '“{target}”中不存在 id 为 {id} 的记录。',
  },
  // queries
  BAD_FILTER: { en: 'Invalid filter at {pointer}: {reason}', 'zh-CN': '过滤条件 {pointer} 无效：{reason}' },
  BAD_SORT: { en: 'Cannot sort by "{field}": {reason}', 'zh-CN': '不能按“{field}”排序：{reason}' },
  BAD_FIELDS: { en: 'Unknown field "{field}" in fields.', 'zh-CN': 'fields 中有未知字段“{field}”。' },
  BAD_EXPAND: {
    en: 'Cannot expand "{path}": {reason}',
    'zh-CN': '不能展开“{path}”：{reason}',
  },
  BAD_CURSOR: {
    en: 'The cursor is invalid or belongs to another query. Start again without a cursor.',
    'zh-CN': '游标无效或属于其他查询。请去掉 cursor 重新查询。',
  },
  BAD_LIMIT: {
    en: 'limit must be an integer from 1 to {max}.',
    'zh-CN': 'limit 必须是 1 到 {max} 之间的整数。',
  },
  BAD_AGGREGATE: { en: 'Invalid aggregate: {reason}', 'zh-CN': '聚合请求无效：{reason}' },
  // metadata
  METADATA_INVALID: {
    en: 'The metadata package is not valid: see the errors listed for each place.',
    'zh-CN': '元数据包未通过校验，请查看各处列出的错误。',
  },
  META_VERSION_CONFLICT: {
    en: 'The metadata was deployed by someone else (current version {current}). Plan again on top of it.',
    'zh-CN': '元数据已被他人部署（当前版本 {current}）。请基于最新版本重新生成计划。',
  },
  META_VERSION_NOT_FOUND: {
    en: 'Metadata version {version} does not exist.',
    'zh-CN': '元数据版本 {version} 不存在。',
  },
  LOSSY_CHANGE: {
    en: 'The deploy would lose data in {count} place(s), listed below. Fix the data, or deploy again with "allowLossy": true to convert (values that cannot convert become empty, long texts are cut).',
    'zh-CN':
      '此次部署会在 {count} 处丢失数据，详见下方列表。请先修正数据，或在部署时加上 "allowLossy": true 以强制转换（无法转换的值将置空，超长文本将被截断）。',
  },
  UNSUPPORTED_CHANGE: {
    en: 'This change cannot be made in place: {reason}',
    'zh-CN': '无法直接进行此变更：{reason}',
  },
  LOCK_TIMEOUT: {
    en: 'The tables are busy; the deploy was not applied. Try again in a moment.',
    'zh-CN': '数据表正忙，部署未执行。请稍后重试。',
  },
  // metadata definitions (each reported at a JSON pointer into the package)
  META_BAD_NAME: {
    en: 'Names are lower-case ASCII: a letter, then letters, digits or _ (at most 40).',
    'zh-CN': '名称须为小写 ASCII：以字母开头，之后为字母、数字或下划线（最多 40 个字符）。',
  },
  META_RESERVED_NAME: {
    en: '"{name}" is reserved (a system field or SQL key word); choose another name.',
    'zh-CN': '“{name}”是保留字（系统字段或 SQL 关键字），请换一个名称。',
  },
  META_DUPLICATE_NAME: { en: 'The name "{name}" is used twice.', 'zh-CN': '名称“{name}”重复。' },
  META_DUPLICATE_ID: { en: 'The id {id} is used twice.', 'zh-CN': 'id {id} 重复。' },
  META_ID_REUSED: {
    en: 'The id {id} belonged to {was}; ids are never reused for something else.',
    'zh-CN': 'id {id} 原属于 {was}；id 不能挪作他用。',
  },
  META_UNKNOWN_TARGET: {
    en: 'Object "{target}" does not exist in this package.',
    'zh-CN': '此元数据包中不存在对象“{target}”。',
  },
  META_UNKNOWN_FIELD: {
    en: 'Field "{field}" does not exist on "{object}".',
    'zh-CN': '“{object}”上不存在字段“{field}”。',
  },
  META_SCALE_GT_PRECISION: {
    en: 'Scale ({scale}) cannot exceed precision ({precision}).',
    'zh-CN': '小数位数（{scale}）不能大于总位数（{precision}）。',
  },
  META_MIN_GT_MAX: { en: 'min is greater than max.', 'zh-CN': '最小值大于最大值。' },
  META_DUPLICATE_OPTION: { en: 'Option "{value}" appears twice.', 'zh-CN': '选项“{value}”重复。' },
  META_AUTONUMBER_SEQUENCE: {
    en: 'The format needs exactly one sequence such as {0000}.',
    'zh-CN': '编号格式中必须恰好有一个序号，如 {0000}。',
  },
  META_BAD_DEFAULT: {
    en: 'The default value is not valid for this field: {reason}',
    'zh-CN': '默认值对此字段无效：{reason}',
  },
  META_NOT_INDEXABLE: {
    en: 'Fields of type {type} cannot be indexed or unique.',
    'zh-CN': '{type} 类型的字段不能建索引或设为唯一。',
  },
  META_NAME_FIELD: {
    en: 'nameField must name a text, email, phone or auto-number field of this object.',
    'zh-CN': 'nameField 必须是本对象的文本、邮箱、电话或自动编号字段。',
  },
  META_MASTER_DETAIL_SELF: {
    en: 'A master-detail field cannot point at its own object.',
    'zh-CN': '主从关联字段不能指向自身对象。',
  },
  META_ROLLUP_VIA: {
    en: '"{via}" on "{object}" must be a lookup or master-detail to this object.',
    'zh-CN': '“{object}”上的“{via}”必须是指向本对象的查找关联或主从关联字段。',
  },
  META_ROLLUP_FIELD: {
    en: '{fn} needs a numeric or date field of "{object}"; "{field}" is not one.',
    'zh-CN': '{fn} 需要“{object}”上的数字或日期字段；“{field}”不是。',
  },
  META_EXPRESSION_TOO_BIG: {
    en: 'The expression is too large (at most {nodes} nodes, depth {depth}).',
    'zh-CN': '表达式过大（最多 {nodes} 个节点，深度 {depth}）。',
  },
  META_TYPE_CHANGE: {
    en: 'Cannot change {from} into {to}. Create a new field and copy the data instead.',
    'zh-CN': '不能把 {from} 改为 {to}。请新建字段并迁移数据。',
  },
  META_UNKNOWN_ROLE: { en: 'Role "{role}" does not exist.', 'zh-CN': '角色“{role}”不存在。' },
  META_ROLE_CYCLE: { en: 'Role "{role}" is its own ancestor.', 'zh-CN': '角色“{role}”成为了自己的上级。' },
  META_TOO_MANY: { en: 'At most {max} {what}.', 'zh-CN': '{what}最多 {max} 个。' },
  // rules (docs/rules.md)
  VALIDATION_RULE: { en: '{message}', 'zh-CN': '{message}' },
  RULE_ERROR: {
    en: 'Rule "{rule}" could not be evaluated; the record was not saved.',
    'zh-CN': '规则“{rule}”无法计算，记录未保存。',
  },
  DEPENDENT_OPTION: {
    en: '"{value}" is not allowed when "{controlling}" is "{controllingValue}".',
    'zh-CN': '当“{controlling}”为“{controllingValue}”时，不允许选择“{value}”。',
  },
  READ_ONLY_NOW: {
    en: 'Field "{field}" cannot be changed while the record is in this state.',
    'zh-CN': '记录处于当前状态时，字段“{field}”不能修改。',
  },
  DUPLICATE_BLOCKED: {
    en: 'This record duplicates {count} existing record(s) (rule "{rule}"); it was not saved.',
    'zh-CN': '该记录与 {count} 条已有记录重复（规则“{rule}”），未保存。',
  },
  DUPLICATE_WARNING: {
    en: 'This record may duplicate {count} existing record(s) (rule "{rule}"). To save it anyway, send "$override" with a reason.',
    'zh-CN': '该记录可能与 {count} 条已有记录重复（规则“{rule}”）。如仍要保存，请在 "$override" 中填写原因。',
  },
  BAD_OVERRIDE: {
    en: '"$override" must be a reason of 1 to 500 characters.',
    'zh-CN': '"$override" 必须是 1 到 500 个字符的原因说明。',
  },
  // expressions (deploy-time type check)
  EXPR_TOO_BIG: {
    en: 'The expression is too large (at most {nodes} nodes, depth {depth}, {bytes} bytes).',
    'zh-CN': '表达式过大（最多 {nodes} 个节点、深度 {depth}、{bytes} 字节）。',
  },
  EXPR_FORBIDDEN_NAME: {
    en: '"{name}" may not be used in an expression.',
    'zh-CN': '表达式中不能使用“{name}”。',
  },
  EXPR_UNKNOWN_FIELD: {
    en: '"{field}" is not a field of "{object}" (or of the record it looks up).',
    'zh-CN': '“{field}”不是“{object}”（或其关联记录）的字段。',
  },
  EXPR_VAR_PATH: {
    en: 'var takes a field name as a literal string (and an optional default).',
    'zh-CN': 'var 的参数必须是字段名字符串（可带一个默认值）。',
  },
  EXPR_UNKNOWN_OP: {
    en: 'Unknown or forbidden operation "{op}". Allowed: {allowed}.',
    'zh-CN': '未知或被禁止的操作“{op}”。允许：{allowed}。',
  },
  EXPR_ARITY: {
    en: '"{op}" takes {min} to {max} arguments, not {count}.',
    'zh-CN': '“{op}”需要 {min} 到 {max} 个参数，而不是 {count} 个。',
  },
  EXPR_TYPE_MISMATCH: {
    en: 'Type mismatch: expected {expected}, got {actual}.',
    'zh-CN': '类型不匹配：应为 {expected}，实际为 {actual}。',
  },
  EXPR_NOT_AN_OPTION: {
    en: '"{value}" is not an option of this picklist ({options}).',
    'zh-CN': '“{value}”不是此选项字段的选项（{options}）。',
  },
  EXPR_BAD_REGEX: {
    en: 'The regular expression is refused: {reason}. Rule patterns run on RE2, a linear-time engine: a literal string of at most 200 characters, flags "" or "i", no back-references (\\1) or look-around ((?=…), (?<=…)).',
    'zh-CN':
      '正则表达式被拒绝：{reason}。规则中的正则表达式由线性时间引擎 RE2 执行：须为最多 200 个字符的字符串字面量，标志只能是 "" 或 "i"，不能使用反向引用（\\1）或环视（(?=…)、(?<=…)）。',
  },
  EXPR_BAD_NODE: {
    en: 'An expression node is an operation object with exactly one key.',
    'zh-CN': '表达式节点必须是只有一个键的操作对象。',
  },
  EXPR_RESULT_TYPE: {
    en: 'The expression gives {actual}; {expected} is needed here.',
    'zh-CN': '表达式结果为 {actual}，此处需要 {expected}。',
  },
  META_DEPENDENT_PICKLIST: {
    en: "controllingField must be another picklist or a boolean field of this object; dependencies list its values and this field's options.",
    'zh-CN':
      'controllingField 必须是本对象的另一个单选或复选框字段；dependencies 只能列出它的取值和本字段的选项。',
  },
  META_DUPLICATE_MATCH: {
    en: 'Duplicate rules match text, email, phone, picklist or lookup fields; similarity needs a text field.',
    'zh-CN': '查重规则只能匹配文本、邮箱、电话、单选或查找关联字段；相似匹配只适用于文本字段。',
  },
  META_ROLLUP_FILTER: { en: 'Invalid roll-up filter: {reason}', 'zh-CN': '汇总过滤条件无效：{reason}' },
  META_ROLLUP_DATE: {
    en: 'Roll-ups store numbers: min and max of date fields are not supported yet.',
    'zh-CN': '汇总字段存储数字：暂不支持日期字段的最小值和最大值。',
  },
  META_FORMULA_CYCLE: {
    en: 'Formula "{field}" depends on itself ({path}).',
    'zh-CN': '公式“{field}”依赖了自身（{path}）。',
  },
  TENANT_EXISTS: { en: 'Tenant "{slug}" already exists.', 'zh-CN': '租户“{slug}”已存在。' },
  // branch errors: rule work budget, input refused at the edge
  RULE_BUDGET_EXCEEDED: {
    en: 'The rules of "{object}" are too much work for {count} records in one request; send at most {max} at a time.',
    'zh-CN': '“{object}”的规则过多，无法在一次请求中处理 {count} 条记录；请每次最多提交 {max} 条。',
  },
  JSON_TOO_DEEP: {
    en: 'The request body nests deeper than {max} levels.',
    'zh-CN': '请求体的嵌套层级超过 {max} 层。',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    en: 'The request body must be JSON (Content-Type: application/json), not {type}.',
    'zh-CN': '请求体必须是 JSON（Content-Type: application/json），而不是 {type}。',
  },
  UNSUPPORTED_CHARSET: {
    en: 'The request body must be encoded as UTF-8, not {charset}.',
    'zh-CN': '请求体必须使用 UTF-8 编码，而不是 {charset}。',
  },
  UNSUPPORTED_ENCODING: {
    en: 'Content-Encoding "{encoding}" is not supported; send gzip, deflate, br or no encoding.',
    'zh-CN': '不支持 Content-Encoding“{encoding}”；请使用 gzip、deflate、br 或不压缩。',
  },
  INVALID_UTF8: {
    en: 'The request body is not valid UTF-8; nothing was saved.',
    'zh-CN': '请求体不是有效的 UTF-8 编码，未保存任何内容。',
  },
  UNREADABLE_BODY: {
    en: 'The request body could not be read (a broken compression or an interrupted upload). Send it again.',
    'zh-CN': '无法读取请求体（压缩数据损坏或上传中断）。请重新发送。',
  },
  NUL_CHARACTER: {
    en: '"{field}" contains a NUL character (U+0000), which cannot be stored. Remove it and try again.',
    'zh-CN': '“{field}”中含有空字符（U+0000），无法保存。请删除后重试。',
  },
  BAD_VALUE: {
    en: 'A value in the request does not fit its field (out of range or not a real date). Check the values and try again.',
    'zh-CN': '请求中的某个值不符合其字段要求（超出范围或不是有效日期）。请检查后重试。',
  },
  UNIQUE_COMBINATION: {
    en: 'Another record already has this combination of {fields}.',
    'zh-CN': '已有其他记录使用了相同的{fields}组合。',
  },
  TOO_MANY_ITEMS: { en: 'At most {limit} items.', 'zh-CN': '最多 {limit} 项。' },
  TOO_FEW_ITEMS: { en: 'At least {limit} items.', 'zh-CN': '至少 {limit} 项。' },
  SCHEMA_MISMATCH: {
    en: 'This value does not have the expected shape.',
    'zh-CN': '此值的结构不符合要求。',
  },
  // branch errors: reasons, shown inside BAD_FILTER, BAD_SORT, BAD_EXPAND, BAD_AGGREGATE, BAD_REQUEST, EXPR_BAD_REGEX
  R_EXPECTED_TEXT: {
    en: 'expected a text of at most {max} characters',
    'zh-CN': '应为最多 {max} 个字符的文本',
  },
  R_NUL: { en: 'it contains a NUL character (U+0000)', 'zh-CN': '含有空字符（U+0000）' },
  R_EXPECTED_NUMBER: { en: 'expected a number', 'zh-CN': '应为数字' },
  R_EXPECTED_INTEGER: { en: 'expected an integer', 'zh-CN': '应为整数' },
  R_EXPECTED_BOOLEAN: { en: 'expected true or false', 'zh-CN': '应为 true 或 false' },
  R_EXPECTED_DATE: {
    en: 'expected a real date YYYY-MM-DD (years 0001 to 9999)',
    'zh-CN': '应为有效日期 YYYY-MM-DD（年份 0001 至 9999）',
  },
  R_EXPECTED_DATETIME: {
    en: 'expected an ISO 8601 date-time on a real date',
    'zh-CN': '应为日期有效的 ISO 8601 日期时间',
  },
  R_EXPECTED_ID: { en: 'expected an id (uuid)', 'zh-CN': '应为 id（uuid）' },
  R_OUT_OF_RANGE: { en: 'out of range ({min} to {max})', 'zh-CN': '超出范围（{min} 至 {max}）' },
  R_TOO_BIG: {
    en: 'out of range (the size must stay below {limit})',
    'zh-CN': '超出范围（绝对值须小于 {limit}）',
  },
  R_NESTED_TOO_DEEP: { en: 'nested deeper than {max} levels', 'zh-CN': '嵌套超过 {max} 层' },
  R_EXPECTED_OBJECT: { en: 'expected a JSON object', 'zh-CN': '应为 JSON 对象' },
  R_EXPECTED_LIST: { en: 'expected a non-empty list', 'zh-CN': '应为非空列表' },
  R_EXPECTED_VALUES: {
    en: 'expected a list of 1 to {max} values',
    'zh-CN': '应为包含 1 到 {max} 个值的列表',
  },
  R_UNKNOWN_FIELD: { en: 'there is no field "{field}"', 'zh-CN': '没有字段“{field}”' },
  R_NO_OPERATOR: { en: 'no operator given', 'zh-CN': '缺少运算符' },
  R_TOO_MANY_CONDITIONS: { en: 'more than {max} conditions', 'zh-CN': '条件超过 {max} 个' },
  R_OPERATOR_NOT_ALLOWED: {
    en: 'operator "{op}" cannot be used on "{field}"; use one of {allowed}',
    'zh-CN': '运算符“{op}”不能用于“{field}”；可用：{allowed}',
  },
  R_NOT_SORTABLE: { en: 'fields of this type cannot be sorted', 'zh-CN': '此类型的字段不能排序' },
  R_LISTED_TWICE: { en: 'it is listed twice', 'zh-CN': '重复出现' },
  R_TOO_MANY_SORT_KEYS: { en: 'at most {max} sort keys', 'zh-CN': '最多 {max} 个排序字段' },
  R_NOT_A_LOOKUP: { en: 'it is not a lookup field', 'zh-CN': '它不是查找关联字段' },
  R_EXPAND_TOO_DEEP: { en: 'deeper than {max} levels', 'zh-CN': '超过 {max} 层' },
  R_NO_ACCESS_RELATED: {
    en: 'you have no access to the related object',
    'zh-CN': '你无权访问关联对象',
  },
  R_UNKNOWN_PROPERTY: { en: 'unknown property "{name}"', 'zh-CN': '未知属性“{name}”' },
  R_TOO_MANY_GROUPS: { en: 'group by at most {max} fields', 'zh-CN': '最多按 {max} 个字段分组' },
  R_METRICS_COUNT: { en: 'give 1 to {max} metrics', 'zh-CN': '统计指标应为 1 到 {max} 个' },
  R_LIMIT_RANGE: { en: 'limit must be from 1 to {max}', 'zh-CN': 'limit 应在 1 到 {max} 之间' },
  R_CANNOT_GROUP: { en: 'cannot group by "{field}"', 'zh-CN': '不能按“{field}”分组' },
  R_METRIC_NOT_ALLOWED: {
    en: '{fn} of "{field}" is not allowed',
    'zh-CN': '不能对“{field}”使用 {fn}',
  },
  R_TEXT_TOO_LONG: { en: 'at most {max} characters', 'zh-CN': '最多 {max} 个字符' },
  R_NOT_JSON: { en: '{name} is not valid JSON', 'zh-CN': '{name} 不是合法的 JSON' },
  R_PARAM_ONCE: {
    en: '"{name}" must be given once, as a plain value',
    'zh-CN': '“{name}”只能出现一次，且为普通值',
  },
  R_BATCH_EMPTY: { en: 'the batch is empty', 'zh-CN': '批次为空' },
  R_BATCH_SHAPE: {
    en: 'send {"records": [...]} or {"operations": [...]}',
    'zh-CN': '请求体应为 {"records": [...]} 或 {"operations": [...]}',
  },
  R_BATCH_OP: {
    en: '{at}/op must be create, update or delete',
    'zh-CN': '{at}/op 必须是 create、update 或 delete',
  },
  R_BATCH_VERSION: { en: '{at}/version must be an integer', 'zh-CN': '{at}/version 必须是整数' },
  R_COMMENT: {
    en: 'comment must be a text of at most 500 characters',
    'zh-CN': 'comment 必须是最多 500 个字符的文本',
  },
  R_EXPECT_PLAN: {
    en: 'expectPlan must be the planHash of a plan (32 hex digits)',
    'zh-CN': 'expectPlan 必须是某个计划的 planHash（32 位十六进制数）',
  },
  R_CONFIRM: {
    en: 'confirm must be a list of keys such as "retire:<object>.<field>" or "retire:<object>"',
    'zh-CN': 'confirm 必须是键列表，如 "retire:对象.字段" 或 "retire:对象"',
  },
  R_USER_EXPAND: { en: 'a user expands to its id and name only', 'zh-CN': '用户只能展开为 id 和姓名' },
  R_ALLOW_LOSSY: { en: 'allowLossy must be true or false', 'zh-CN': 'allowLossy 必须是 true 或 false' },
  R_VERSION_NUMBER: {
    en: 'the version must be a whole number from 1 to {max}',
    'zh-CN': '版本号必须是 1 到 {max} 之间的整数',
  },
  R_NAME_MISMATCH: {
    en: 'the name in the body differs from the one in the URL',
    'zh-CN': '请求体中的名称与 URL 中的不一致',
  },
  R_TENANT_SLUG: {
    en: 'a tenant slug is 1 to 30 lower-case letters, digits or _, starting with a letter',
    'zh-CN': '租户标识须为 1 到 30 个小写字母、数字或下划线，并以字母开头',
  },
  R_STATEMENT_TIMEOUT: { en: 'the query took too long', 'zh-CN': '查询耗时过长' },
  R_CONCURRENT_UPDATE: { en: 'a concurrent update', 'zh-CN': '并发更新冲突' },
  R_REGEX_TOO_LONG: { en: 'longer than {max} characters', 'zh-CN': '超过 {max} 个字符' },
  R_REGEX_SYNTAX: { en: 'not a valid regular expression', 'zh-CN': '不是合法的正则表达式' },
  R_REGEX_FLAGS: { en: 'flags must be "" or "i"', 'zh-CN': '标志只能是 "" 或 "i"' },
  R_REGEX_UNSUPPORTED: {
    en: 'it uses a back-reference or look-around, which a linear-time engine cannot run',
    'zh-CN': '使用了反向引用或环视，线性时间引擎无法执行',
  },
  R_REGEX_TOO_COMPLEX: {
    en: 'its repeats expand to more than {max} steps; use smaller counts such as {example}',
    'zh-CN': '其重复次数展开后超过 {max} 步；请改用较小的次数，如 {example}',
  },
  YES: { en: 'yes', 'zh-CN': '是' },
  NO: { en: 'no', 'zh-CN': '否' },
  OP_READ: { en: 'read', 'zh-CN': '查看' },
  OP_CREATE: { en: 'create', 'zh-CN': '新建' },
  OP_EDIT: { en: 'edit', 'zh-CN': '编辑' },
  OP_DELETE: { en: 'delete', 'zh-CN': '删除' },
  T_TEXT: { en: 'a text', 'zh-CN': '文本' },
  T_NUMBER: { en: 'a number', 'zh-CN': '数字' },
  T_BOOLEAN: { en: 'true or false', 'zh-CN': '布尔值（true 或 false）' },
  T_DATE: { en: 'a date', 'zh-CN': '日期' },
  T_DATETIME: { en: 'a date-time', 'zh-CN': '日期时间' },
  T_LIST: { en: 'a list', 'zh-CN': '列表' },
  T_EMPTY: { en: 'empty (null)', 'zh-CN': '空值' },
  T_ANY: { en: 'any value', 'zh-CN': '任意值' },
  T_INTEGER: { en: 'an integer', 'zh-CN': '整数' },
  T_ID: { en: 'an id (uuid)', 'zh-CN': 'id（uuid）' },
  T_OBJECT: { en: 'an object', 'zh-CN': '对象' },
  T_LIST_OF: { en: 'a list of 1 to {max} values', 'zh-CN': '包含 1 到 {max} 个值的列表' },
  T_USER: { en: 'User', 'zh-CN': '用户' },
  T_NUMBERS_OR_DATES: { en: 'numbers or dates', 'zh-CN': '数字或日期' },
  T_TEXT_OR_LIST: { en: 'a text or a list', 'zh-CN': '文本或列表' },
  R_DEFAULT_EXPRESSION: {
    en: 'a computed field, or a field with a static default, cannot have a default expression',
    'zh-CN': '计算字段或已有固定默认值的字段不能再设置默认值表达式',
  },
  R_COMPUTED_DEFAULT: { en: 'a computed field has no default', 'zh-CN': '计算字段不能设置默认值' },
  R_EXPECTED_VALUE: { en: 'the value does not fit the field', 'zh-CN': '该值不符合字段要求' },
  R_REGEX_NOT_LITERAL: {
    en: 'the pattern and flags must be literal strings',
    'zh-CN': '模式和标志必须是字符串字面量',
  },
  // branch integrity
  META_FILTER_SHAPE: {
    en: 'Not a valid filter here: expected an object of field conditions, "and" or "or" with a non-empty list, or "not" (at most 10 levels deep).',
    'zh-CN': '此处的过滤条件无效：应为字段条件对象、带非空列表的 "and" 或 "or"，或 "not"（最多嵌套 10 层）。',
  },
  BAD_ID: {
    en: '"{parameter}" must be a record id (a UUID such as 3f2b8c1e-4a5d-4e6f-8a7b-9c0d1e2f3a4b).',
    'zh-CN': '“{parameter}”必须是记录 id（形如 3f2b8c1e-4a5d-4e6f-8a7b-9c0d1e2f3a4b 的 UUID）。',
  },

  // --- branch deploy-plan: plan determinism, retire confirmations, plan warnings, user fields ---
  PLAN_CHANGED: {
    en: 'This deploy would no longer do what the plan you reviewed showed (the metadata is now at version {current}). Nothing was changed: plan again and review it.',
    'zh-CN':
      '此次部署与你审阅过的计划已不一致（元数据当前为版本 {current}）。未做任何更改：请重新生成计划并审阅。',
  },
  CONFIRMATION_REQUIRED: {
    en: 'This deploy would hide data in {count} place(s), listed below. Nothing was changed: confirm each one by sending its key in "confirm" (listed in "missing"), or keep those fields.',
    'zh-CN':
      '此次部署会隐藏 {count} 处已有数据，详见下方列表。未做任何更改：请在 "confirm" 中逐项确认（键见 "missing"），或保留这些字段。',
  },
  RETIRE_FIELD_HAS_DATA: {
    en: 'Removing field “{field}” of “{object}” hides its values in {rows} record(s) until a rollback. Confirm with "{confirm}".',
    'zh-CN': '移除“{object}”的字段“{field}”会隐藏 {rows} 条记录中的值，直到回滚。请用 "{confirm}" 确认。',
  },
  RETIRE_OBJECT_HAS_DATA: {
    en: 'Removing object “{object}” hides its {rows} record(s) until a rollback. Confirm with "{confirm}".',
    'zh-CN': '移除对象“{object}”会隐藏它的 {rows} 条记录，直到回滚。请用 "{confirm}" 确认。',
  },
  REQUIRED_NOT_EDITABLE: {
    en: 'Field “{field}” of “{object}” is required, but profile(s) {profiles} may create “{object}” records without being allowed to edit it: every create by their users will fail. Let them edit the field, give it a default, or make it optional.',
    'zh-CN':
      '“{object}”的字段“{field}”为必填，但简档 {profiles} 可以新建“{object}”记录却无权编辑此字段：这些用户的每次新建都会失败。请允许他们编辑此字段、为它设置默认值，或取消必填。',
  },
  REQUIRED_IF_NOT_EDITABLE: {
    en: 'Field “{field}” of “{object}” is required in some cases, but profile(s) {profiles} may create “{object}” records without being allowed to edit it: their creates will fail in those cases. Let them edit the field, give it a default, or change the condition.',
    'zh-CN':
      '“{object}”的字段“{field}”在某些情况下必填，但简档 {profiles} 可以新建“{object}”记录却无权编辑此字段：这些情况下他们的新建会失败。请允许他们编辑此字段、为它设置默认值，或修改条件。',
  },
  USER_NOT_FOUND: {
    en: 'There is no user with the id {id}.',
    'zh-CN': '不存在 id 为 {id} 的用户。',
  },
  // sec-auth
  SESSION_ONLY: {
    en: 'Only a sign-in session can be refreshed or signed out. An API token is not a session: revoke it with {revoke} and create a new one when needed.',
    'zh-CN': '只有登录会话可以刷新或退出。API 令牌不是会话：请用 {revoke} 吊销它，需要时再创建新令牌。',
  },
  SCOPED_TOKEN_REFUSED: {
    en: 'A scoped API token cannot do this: use a sign-in session (or an unscoped token).',
    'zh-CN': '限定范围的 API 令牌不能执行此操作：请使用登录会话（或不限范围的令牌）。',
  },
  SCOPE_UNDECLARED: {
    en: 'This endpoint declares no access scope, so it is refused.',
    'zh-CN': '此接口未声明访问范围，因此拒绝访问。',
  },
  TOO_MANY_PASSWORD_ATTEMPTS: {
    en: 'Too many wrong current passwords. Wait {seconds} seconds and try again.',
    'zh-CN': '当前密码错误次数过多。请等待 {seconds} 秒后重试。',
  },
  // pipeline branch: owner transfer, parent rules after a roll-up changed
  NO_TRANSFER_ACCESS: {
    en: 'You have no permission to give {object} records to another owner.',
    'zh-CN': '你没有将{object}记录转给其他负责人的权限。',
  },
  OWNER_NOT_A_USER: {
    en: 'The new owner "{value}" is not an active user.',
    'zh-CN': '新负责人“{value}”不是有效的用户。',
  },
  META_LAYOUT_TWICE: {
    en: 'Field "{field}" is placed twice on the layout.',
    'zh-CN': '字段“{field}”在布局中出现了两次。',
  },
  META_RELATED_LIST_VIA: {
    en: 'A related list needs a lookup of "{object}" to "{parent}"; "{field}" is not one.',
    'zh-CN': '相关列表需要“{object}”指向“{parent}”的查找关联字段；“{field}”不是。',
  },
  META_FORMAT_VERSION: {
    en: 'This package has metadata format {version}; this engine reads up to format {supported}. Upgrade the engine first.',
    'zh-CN': '此元数据包的格式版本为 {version}，本引擎最高支持 {supported}。请先升级引擎。',
  },
  PARENT_RULE: {
    en: 'This change would break a rule of {object} "{record}": {message}',
    'zh-CN': '此更改会使{object}“{record}”违反规则：{message}',
  },
  // branch stages: business types, pipelines, stage gates (processes/)
  STAGE_GATE: {
    en: 'The record cannot move to this stage: {count} condition(s) are not met, listed below.',
    'zh-CN': '记录无法进入该阶段：有 {count} 项条件未满足，详见下方列表。',
  },
  GATE_FIELD_REQUIRED: {
    en: '“{field}” must be filled in before “{stage}”.',
    'zh-CN': '进入“{stage}”前必须填写“{field}”。',
  },
  GATE_FIELD_REQUIRED_MET: { en: '“{field}” is filled in.', 'zh-CN': '“{field}”已填写。' },
  GATE_FIELD_REQUIRED_LABEL: { en: '“{field}” filled in', 'zh-CN': '已填写“{field}”' },
  GATE_FIELD_PATH: { en: '{lookup} › {field}', 'zh-CN': '{lookup}的{field}' },
  GATE_CONDITION: { en: 'Before “{stage}”: {message}', 'zh-CN': '进入“{stage}”前：{message}' },
  GATE_CONDITION_MET: { en: '{message} (met)', 'zh-CN': '{message}（已满足）' },
  GATE_CONDITION_ERROR: {
    en: 'The condition “{message}” could not be evaluated for this record.',
    'zh-CN': '无法对此记录计算条件“{message}”。',
  },
  GATE_RELATED_RECORDS: {
    en: '“{stage}” needs at least {min} record(s) of {object}{scope}; found {count}.',
    'zh-CN': '进入“{stage}”需要至少 {min} 条{object}记录{scope}，目前有 {count} 条。',
  },
  GATE_RELATED_RECORDS_MET: {
    en: 'Found {count} record(s) of {object}{scope} (at least {min} needed).',
    'zh-CN': '已有 {count} 条{object}记录{scope}（至少需要 {min} 条）。',
  },
  GATE_RELATED_RECORDS_LABEL: {
    en: 'At least {min} record(s) of {object}{scope}',
    'zh-CN': '至少 {min} 条{object}记录{scope}',
  },
  GATE_SCOPE_SINCE_STAGE: { en: ' since entering the current stage', 'zh-CN': '（自进入当前阶段以来）' },
  GATE_SCOPE_WITHIN_DAYS: { en: ' from the last {days} days', 'zh-CN': '（最近 {days} 天内）' },
  STAGE_SKIP_NOT_ALLOWED: {
    en: 'This pipeline does not let a record skip stages: from “{from}” to “{to}” skips {skipped}.',
    'zh-CN': '该阶段流程不允许跳过阶段：从“{from}”到“{to}”会跳过{skipped}。',
  },
  STAGE_BACK_NOT_ALLOWED: {
    en: 'This pipeline does not let a record move back from “{from}” to “{to}”.',
    'zh-CN': '该阶段流程不允许从“{from}”退回到“{to}”。',
  },
  STAGE_NOT_IN_PIPELINE: {
    en: '“{value}” is not a stage of the pipeline “{pipeline}”.',
    'zh-CN': '“{value}”不是阶段流程“{pipeline}”中的阶段。',
  },
  BUSINESS_TYPE_UNKNOWN: {
    en: '“{value}” is not a business type of this object.',
    'zh-CN': '“{value}”不是此对象的业务类型。',
  },
  BUSINESS_TYPE_NOT_ALLOWED: {
    en: 'Your profile may not use the business type “{type}”.',
    'zh-CN': '你的简档无权使用业务类型“{type}”。',
  },
  OPTION_NOT_IN_TYPE: {
    en: '“{value}” is not an option for records of the business type “{type}”.',
    'zh-CN': '“{value}”不是业务类型“{type}”的可选值。',
  },
  NO_PIPELINE: {
    en: 'There is no stage pipeline here ({object}).',
    'zh-CN': '此处没有阶段流程（{object}）。',
  },
  STAGE_HAS_RECORDS: {
    en: '{count} record(s) of the pipeline “{pipeline}” are in the stage “{stage}”, which it no longer has. Deploy with "stageMoves" naming the stage they move to.',
    'zh-CN':
      '阶段流程“{pipeline}”中有 {count} 条记录处于已被移除的阶段“{stage}”。请在部署时为它们指定要移至的阶段。',
  },
  STAGE_MOVE_INVALID: {
    en: 'A stage move is {pipeline, from, to}, naming a pipeline of the package (at most 500 moves).',
    'zh-CN': '每条阶段迁移须写明阶段流程、原阶段和目标阶段，且阶段流程必须属于本元数据包（最多 500 条）。',
  },
  STAGE_MOVE_NOT_A_STAGE: {
    en: '“{value}” is not a stage of the pipeline “{pipeline}”.',
    'zh-CN': '“{value}”不是阶段流程“{pipeline}”中的阶段。',
  },
  STAGE_MOVE_NEEDED: {
    en: 'Records sit in stages this deploy removes ({count} place(s)), listed below.',
    'zh-CN': '有记录处于本次部署移除的阶段（{count} 处），详见下方列表。',
  },
  PROCESS_FIELD_TAKEN: {
    en: 'The field name "{name}" belongs to the engine on objects with business types or a pipeline: rename the field.',
    'zh-CN': '在有业务类型或阶段流程的对象上，字段名 "{name}" 由系统使用：请重命名该字段。',
  },
  PIPELINE_BAD_FIELD: {
    en: 'A pipeline moves through a picklist field: "{field}" of "{object}" is not one.',
    'zh-CN': '阶段流程必须基于单选字段：“{object}”的“{field}”不是单选字段。',
  },
  PIPELINE_FIELD_DIFFERS: {
    en: 'Every pipeline of an object uses the same stage field ("{field}").',
    'zh-CN': '同一对象的所有阶段流程必须使用同一个阶段字段（"{field}"）。',
  },
  PIPELINE_NEEDS_TYPES: {
    en: '"{object}" has no business types, so it can have only one pipeline.',
    'zh-CN': '“{object}”没有业务类型，因此只能有一个阶段流程。',
  },
  PIPELINE_NOT_AN_OPTION: {
    en: 'Stage "{value}" is not an option of the stage field.',
    'zh-CN': '阶段 "{value}" 不是阶段字段的可选值。',
  },
  PIPELINE_FIRST_NOT_OPEN: {
    en: 'The first stage of a pipeline is an open one (records start there).',
    'zh-CN': '阶段流程的第一个阶段必须是进行中阶段（新记录从这里开始）。',
  },
  GATE_NOT_A_LOOKUP: {
    en: '"{field}" is not a lookup: only a lookup leads to another record\'s field.',
    'zh-CN': '"{field}" 不是查找关联字段：只有查找关联字段才能引用另一条记录的字段。',
  },
  GATE_BAD_VIA: {
    en: '"{field}" of "{object}" must be a lookup or master-detail field to "{target}".',
    'zh-CN': '“{object}”的 "{field}" 必须是指向“{target}”的查找关联或主从字段。',
  },
  GATE_BAD_DATE_FIELD: {
    en: '"{field}" of "{object}" must be a date or date-time field.',
    'zh-CN': '“{object}”的 "{field}" 必须是日期或日期时间字段。',
  },
  BUSINESS_TYPE_TWO_DEFAULTS: {
    en: '"{object}" has more than one default business type.',
    'zh-CN': '“{object}”有多个默认业务类型。',
  },
  META_UNKNOWN_PROFILE: { en: 'Profile "{profile}" does not exist.', 'zh-CN': '简档“{profile}”不存在。' },
  BUSINESS_TYPE_DEFAULT_NOT_USABLE: {
    en: 'Profile "{profile}" cannot be given a default it may not use: add it to "profiles".',
    'zh-CN': '简档“{profile}”无权使用该业务类型，不能将其设为默认：请先允许该简档使用它。',
  },
  BUSINESS_TYPE_NOT_A_PICKLIST: {
    en: '"{field}" is not a picklist: a business type limits the options of picklists only.',
    'zh-CN': '"{field}" 不是单选或多选字段：业务类型只能限定选项列表字段的可选值。',
  },
  BUSINESS_TYPE_STAGE_OPTIONS: {
    en: 'The stages of "{field}" come from the type\'s pipeline: leave the field out of "picklists".',
    'zh-CN': '"{field}" 的阶段由该类型的阶段流程决定：请不要在选项限定中列出它。',
  },
  BUSINESS_TYPE_REQUIRED_COMPUTED: {
    en: '"{field}" is computed by the system and cannot be required.',
    'zh-CN': '"{field}" 由系统计算，不能设为必填。',
  },
  BUSINESS_TYPE_UNKNOWN_PIPELINE: {
    en: 'Pipeline "{pipeline}" does not exist for "{object}".',
    'zh-CN': '“{object}”不存在阶段流程 "{pipeline}"。',
  },
  // branch jobs: background jobs (admin API)
  JOB_NOT_FOUND: { en: 'There is no job {id}.', 'zh-CN': '没有编号为 {id} 的后台任务。' },
  JOB_NOT_DEAD: {
    en: 'Job {id} is {state}: only a failed (dead) job can be retried.',
    'zh-CN': '后台任务 {id} 的状态是 {state}：只有已失败的任务可以重试。',
  },
  TIME_ZONE: {
    en: '"{value}" is not a time zone; use a time zone name such as {example}.',
    'zh-CN': '“{value}”不是有效的时区；请使用时区名称，例如 {example}。',
  },
  JOB_STATE: {
    en: 'Unknown job state "{value}"; use one of: {allowed}.',
    'zh-CN': '未知的任务状态“{value}”；可选：{allowed}。',
  },
  // studio-setup: users' managers and e-mail addresses (the Users screen).
  USER_BAD_EMAIL: {
    en: 'Enter an e-mail address such as name@example.com.',
    'zh-CN': '请输入有效的邮箱地址（含 @ 和域名）。',
  },
  USER_UNKNOWN_MANAGER: {
    en: 'The manager must be a user of this organisation.',
    'zh-CN': '上级必须是本组织的用户。',
  },
  USER_MANAGER_CYCLE: {
    en: 'A user cannot be their own manager, directly or through others.',
    'zh-CN': '用户不能直接或间接成为自己的上级。',
  },
  SEARCH_TEXT: {
    en: 'Type what to search for (at most {max} characters).',
    'zh-CN': '请输入要搜索的内容（最多 {max} 个字符）。',
  },
  // branch stages-studio: POST /stages/{object}/try (reasons inside BAD_REQUEST)
  R_TRY_PIPELINES: {
    en: '"{property}" must be a list of the object\'s pipelines',
    'zh-CN': '"{property}" 必须是该对象的阶段流程列表',
  },
  R_TRY_TYPES: {
    en: '"{property}" must be a list of the object\'s business types',
    'zh-CN': '"{property}" 必须是该对象的业务类型列表',
  },
  R_TRY_RECORD: {
    en: '"{property}" must be the id of a record',
    'zh-CN': '"{property}" 必须是一条记录的 id',
  },
  R_TRY_STAGE: { en: '"{property}" must be a stage value', 'zh-CN': '"{property}" 必须是阶段值' },
  R_TRY_OTHER_OBJECT: {
    en: 'every pipeline and business type must belong to "{object}"',
    'zh-CN': '所有阶段流程和业务类型都必须属于“{object}”',
  },
  // approvals (branch approvals): flows, decisions, locks, notification templates
  APPROVAL_UNKNOWN_ROLE: { en: 'There is no role "{role}".', 'zh-CN': '不存在角色“{role}”。' },
  APPROVAL_UNKNOWN_PROFILE: { en: 'There is no profile "{profile}".', 'zh-CN': '不存在简档“{profile}”。' },
  APPROVAL_UNKNOWN_QUEUE: { en: 'There is no queue "{queue}".', 'zh-CN': '不存在队列“{queue}”。' },
  APPROVAL_UNKNOWN_USER: { en: 'There is no user "{user}".', 'zh-CN': '不存在用户“{user}”。' },
  APPROVAL_UNKNOWN_TEMPLATE: {
    en: 'There is no notification template "{template}".',
    'zh-CN': '不存在通知模板“{template}”。',
  },
  APPROVAL_UNKNOWN_BUSINESS_TYPE: {
    en: '“{object}” has no business type "{type}".',
    'zh-CN': '“{object}”没有业务类型“{type}”。',
  },
  APPROVAL_NOT_USER_FIELD: {
    en: '“{field}” is not a user field of “{object}”.',
    'zh-CN': '“{field}”不是“{object}”的用户字段。',
  },
  APPROVAL_NOT_LOOKUP: {
    en: '“{field}” is not a lookup of “{object}” to the record.',
    'zh-CN': '“{field}”不是“{object}”上指向该记录的查找字段。',
  },
  APPROVAL_STATUS_FIELD: {
    en: 'The status field “{field}” must be text, or a picklist with the options {values}.',
    'zh-CN': '状态字段“{field}”必须是文本，或包含选项 {values} 的选项列表。',
  },
  APPROVAL_LOCK_FIELDS: {
    en: 'Locking fields needs the list of fields to lock.',
    'zh-CN': '锁定字段时需要列出要锁定的字段。',
  },
  APPROVAL_ESCALATION_NEEDS_DUE: {
    en: 'An escalation needs a due time (dueHours).',
    'zh-CN': '超时处理需要先设置处理期限。',
  },
  APPROVAL_FIELD_NOT_WRITABLE: {
    en: '“{field}” is computed and cannot be set.',
    'zh-CN': '“{field}”是计算字段，不能设置。',
  },
  TEMPLATE_INVALID: { en: 'The template does not compile: {reason}', 'zh-CN': '模板无法编译：{reason}' },
  TEMPLATE_UNKNOWN_NAME: {
    en: 'The template reads {names}, which it cannot: it may read {allowed}.',
    'zh-CN': '模板读取了不可用的名称 {names}：只能读取 {allowed}。',
  },
  APPROVAL_NO_FLOW: {
    en: 'No approval flow applies to this “{object}” record.',
    'zh-CN': '没有适用于此“{object}”记录的审批流程。',
  },
  APPROVAL_FLOW_NOT_FOUND: {
    en: 'There is no approval flow "{flow}".',
    'zh-CN': '不存在审批流程“{flow}”。',
  },
  APPROVAL_NOT_APPLICABLE: {
    en: 'The approval flow “{flow}” does not apply to this record.',
    'zh-CN': '审批流程“{flow}”不适用于此记录。',
  },
  APPROVAL_NO_APPROVERS: {
    en: 'Step “{step}” of “{flow}” has no approver for this record. Nothing was changed: name an approver on the record or ask an administrator to fix the flow.',
    'zh-CN':
      '“{flow}”的步骤“{step}”对此记录没有审批人。未做任何更改：请在记录上指定审批人，或请管理员修改流程。',
  },
  APPROVAL_ALREADY_PENDING: {
    en: 'This record is already waiting for approval.',
    'zh-CN': '此记录已在审批中。',
  },
  APPROVAL_NOT_FOUND: { en: 'There is no such approval request.', 'zh-CN': '不存在该审批请求。' },
  APPROVAL_NOT_PENDING: {
    en: 'This request is no longer pending (it is {status}): nothing was changed.',
    'zh-CN': '该审批已结束（{status}），未做任何更改。',
  },
  APPROVAL_ALREADY_DECIDED: {
    en: 'This step has already been decided: nothing was changed. Reload to see the request as it is now.',
    'zh-CN': '此步骤已处理，未做任何更改。请刷新查看审批的最新状态。',
  },
  APPROVAL_WAITING: {
    en: 'Someone added before you at step “{step}” decides first.',
    'zh-CN': '在步骤“{step}”中加签在你之前的人需先处理。',
  },
  APPROVAL_NOT_APPROVER: {
    en: 'You are not an approver of this request at its current step.',
    'zh-CN': '你不是此审批当前步骤的审批人。',
  },
  APPROVAL_NOT_APPROVER_OF_STEP: {
    en: 'This user has no pending decision at the current step.',
    'zh-CN': '该用户在当前步骤没有待处理的审批。',
  },
  APPROVAL_SELF: {
    en: 'The submitter may not approve their own request at this step.',
    'zh-CN': '此步骤不允许提交人审批自己的申请。',
  },
  APPROVAL_ALREADY_APPROVER: {
    en: '{user} already decides at this step.',
    'zh-CN': '{user} 已是此步骤的审批人。',
  },
  APPROVAL_NOT_SUBMITTER: {
    en: 'Only the submitter may recall this request.',
    'zh-CN': '只有提交人可以撤回此审批。',
  },
  APPROVAL_FLOW_GONE: {
    en: 'The flow "{flow}" of this request cannot be read any more; an administrator must recall or reassign it.',
    'zh-CN': '此审批的流程“{flow}”已无法读取，请管理员处理。',
  },
  APPROVAL_BAD_BOX: {
    en: '"{value}" is not an inbox: use {allowed}.',
    'zh-CN': '“{value}”不是审批箱：请使用 {allowed}。',
  },
  RECORD_LOCKED: {
    en: 'The record is locked while it waits for approval: nothing was changed.',
    'zh-CN': '记录在审批期间已锁定，未做任何更改。',
  },
  RECORD_LOCKED_APPROVAL: {
    en: 'Record {id} is waiting for approval and is locked for everyone but its approvers and administrators.',
    'zh-CN': '记录 {id} 正在审批，除审批人和管理员外不能修改。',
  },
  GATE_APPROVAL_APPROVED: { en: '“{flow}” is approved.', 'zh-CN': '“{flow}”已审批通过。' },
  GATE_APPROVAL_NEEDED: {
    en: '“{flow}” must be approved first (since the record entered this stage).',
    'zh-CN': '需先通过“{flow}”审批（自进入本阶段以来）。',
  },
  FIELD_LOCKED_APPROVAL: {
    en: '“{field}” is locked while the record waits for approval.',
    'zh-CN': '记录审批期间“{field}”已锁定。',
  },
  // branch flow-editor: POST /meta/approval-flows/{name}/preview with a draft flow
  R_PREVIEW_FLOW: {
    en: '"{property}" must be an approval flow named "{name}"',
    'zh-CN': '"{property}" 必须是名为“{name}”的审批流程',
  },
};

/** An operation on records (the `op` of NO_OBJECT_ACCESS) in both languages. */
export const opText = (op: string): Record<Lang, string> =>
  MESSAGES[`OP_${op.toUpperCase()}`] ? text(`OP_${op.toUpperCase()}`) : { en: op, 'zh-CN': op };

/** A message in both languages, to pass as a param of another message (e.g. a `reason`). */
export function text(code: string, params: Record<string, unknown> = {}): Record<Lang, string> {
  return { en: formatMessage(code, 'en', params), 'zh-CN': formatMessage(code, 'zh-CN', params) };
}

export function formatMessage(code: string, lang: Lang, params: Record<string, unknown> = {}): string {
  const entry = MESSAGES[code];
  const template = entry ? entry[lang] : code;
  return template.replace(/\{(\w+)\}/g, (_, k: string) =>
    k in params ? localized(params[k], lang) : `{${k}}`,
  );
}

/** A param may itself be a text in both languages. */
function localized(v: unknown, lang: Lang): string {
  if (v && typeof v === 'object' && lang in v) return String((v as Record<Lang, unknown>)[lang]);
  return String(v);
}

// Deterministic generator of a large, realistic question bank for the bank-import benchmark.
//
//   generateQuestions(n, seed)  → [{ id, status, content: QuestionContent }]   (same logical questions for every format)
//   toGift(bank)                → GIFT text written by hand here (Moodle dialect: // [id:] // [tag:], $CATEGORY:,
//                                 ::title::, escapes, feedback, #### general feedback) — not the project's exporter,
//                                 so the parser is fed a file like the ones authors write
//   toQtiPackage(bank, dist)    → QTI 3.0 content package (.zip) built by the project's exportQti3 (dist/)
//
// Standalone: node bench/bank-import/generate.mjs [--count 10000] [--seed 42] [--out DIR]
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const LANG = 'zh-CN';
const BLANK = '_____';

/** mulberry32: small, fast, deterministic. */
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  const shuffle = (list) => {
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  return { next, int, pick, shuffle };
}

// ---- zh-CN-like vocabulary of the domain (new-product planning) ---------------------------------
const SUBJECTS = [
  '新品规划师',
  '产品经理',
  '品类负责人',
  '供应链经理',
  '渠道运营',
  '市场部',
  '项目组',
  '区域销售经理',
  '品牌团队',
  '财务分析师',
];
const TOPICS = [
  '市场调研',
  '目标用户画像',
  '竞品分析',
  '定价策略',
  '渠道布局',
  '上市节奏',
  '毛利率测算',
  '库存周转',
  '产品生命周期',
  '需求预测',
  '品类结构',
  'SKU 精简',
  '促销方案',
  '消费者洞察',
  '销售预测',
  '成本核算',
  '包装设计',
  '小范围试销',
  '上市复盘',
  '风险评估',
  '供应商选择',
  '首单备货量',
  '价格带分布',
  '门店陈列',
  '线上种草',
  '会员复购',
  '经销商政策',
  '季节性波动',
  '新品淘汰机制',
  '投入产出比',
];
const ACTIONS = [
  '优先考虑',
  '重新评估',
  '系统梳理',
  '量化分析',
  '持续跟踪',
  '交叉验证',
  '合理控制',
  '明确界定',
  '动态调整',
  '提前规划',
];
const CONTEXTS = [
  '在新品立项阶段',
  '在上市前的最后两周',
  '在年度规划会议上',
  '面对竞争对手的降价',
  '当试销数据低于预期时',
  '在原材料价格上涨的背景下',
  '针对华东区域的连锁渠道',
  '在电商大促期间',
  '当首批库存积压时',
  '在跨部门评审中',
  '为了提高新品成功率',
  '在预算有限的情况下',
];
const RESULTS = [
  '以降低上市风险',
  '从而提高资源利用效率',
  '确保目标达成',
  '避免盲目扩张',
  '为后续决策提供依据',
  '以保证毛利水平',
  '减少渠道冲突',
  '提升用户满意度',
];
const DATA = ['月销量', '动销率', '退货率', '复购率', '客单价', '铺货率', '转化率', '库存天数'];
const CATEGORIES = [
  '新品规划/第一章 市场与用户',
  '新品规划/第二章 产品定义',
  '新品规划/第三章 定价与盈利',
  '新品规划/第四章 渠道与上市',
  '新品规划/第五章 复盘与迭代',
];
const TAGS = [
  '市场',
  '用户',
  '定价',
  '渠道',
  '供应链',
  '财务',
  '上市',
  '复盘',
  '案例',
  '基础',
  '进阶',
  '考试-2026',
];

function sentence(r) {
  switch (r.int(0, 4)) {
    case 0:
      return `${r.pick(CONTEXTS)}，${r.pick(SUBJECTS)}应当${r.pick(ACTIONS)}${r.pick(TOPICS)}，并结合${r.pick(TOPICS)}的结果做出判断，${r.pick(RESULTS)}。`;
    case 1:
      return `某企业计划推出一款新品，过去三个月的${r.pick(DATA)}为 ${r.int(5, 95)}%，${r.pick(DATA)}约为 ${r.int(100, 9000)} 件。`;
    case 2:
      return `根据公司的${r.pick(TOPICS)}规范，${r.pick(SUBJECTS)}需要在${r.int(2, 12)}周内完成${r.pick(TOPICS)}与${r.pick(TOPICS)}的对接工作。`;
    case 3:
      return `${r.pick(SUBJECTS)}发现${r.pick(TOPICS)}与预期存在偏差，于是组织${r.pick(SUBJECTS)}对${r.pick(TOPICS)}进行了${r.pick(ACTIONS)}。`;
    default:
      return `在案例中，${r.pick(TOPICS)}的比例 A:B 约为 ${r.int(1, 9)}:${r.int(1, 9)}，这一数据对${r.pick(TOPICS)}有直接影响。`;
  }
}

function paragraph(r, min, max) {
  const n = r.int(min, max);
  let s = '';
  for (let i = 0; i < n; i++) s += sentence(r);
  return s;
}

function phrase(r) {
  switch (r.int(0, 3)) {
    case 0:
      return `${r.pick(ACTIONS)}${r.pick(TOPICS)}`;
    case 1:
      return `以${r.pick(TOPICS)}为核心，${r.pick(ACTIONS)}${r.pick(TOPICS)}`;
    case 2:
      return `先做${r.pick(TOPICS)}，再根据${r.pick(DATA)}调整${r.pick(TOPICS)}`;
    default:
      return `由${r.pick(SUBJECTS)}牵头${r.pick(ACTIONS)}${r.pick(TOPICS)}`;
  }
}

const L = (text) => ({ [LANG]: text });

/** The type mix of a realistic exam bank (ordering/description are not part of the brief's list). */
const MIX = [
  ['single_choice', 0.35],
  ['multiple_choice', 0.2],
  ['true_false', 0.15],
  ['short_answer', 0.1],
  ['numeric', 0.08],
  ['matching', 0.07],
  ['essay', 0.05],
];

function typeAt(x) {
  let acc = 0;
  for (const [type, share] of MIX) {
    acc += share;
    if (x < acc) return type;
  }
  return MIX[MIX.length - 1][0];
}

/** n questions, deterministic for a seed: [{ id, status, content }]. */
export function generateQuestions(n = 10_000, seed = 42) {
  const r = prng(seed);
  const questions = [];
  for (let i = 1; i <= n; i++) {
    const type = typeAt(r.next());
    const id = `pa-bench-${String(i).padStart(5, '0')}`;
    const tags = r.shuffle(TAGS).slice(0, r.int(1, 3));
    const content = {
      type,
      title: r.next() < 0.8 ? L(`${r.pick(TOPICS)} 第${i}题`) : null,
      stem: L(''),
      tags,
      difficulty: r.int(1, 5),
      category: CATEGORIES[Math.floor(((i - 1) * CATEGORIES.length) / n)],
      languages: [LANG],
    };
    if (r.next() < 0.7) content.explanation = L(paragraph(r, 1, 3));
    const twoParagraphs = r.next() < 0.2;
    const stemText = () => paragraph(r, 2, 4) + (twoParagraphs ? '\n\n' + paragraph(r, 1, 2) : '');
    switch (type) {
      case 'single_choice': {
        content.stem = L(stemText() + '以下哪一项做法最为恰当？');
        const k = r.int(4, 5);
        const right = r.int(0, k - 1);
        content.options = Array.from({ length: k }, (_, j) => {
          const o = { id: `o${j + 1}`, text: L(phrase(r)), fraction: j === right ? 1 : 0 };
          if (r.next() < 0.5)
            o.feedback = L(j === right ? `正确。${sentence(r)}` : `不正确：${phrase(r)}并不能解决问题。`);
          return o;
        });
        break;
      }
      case 'multiple_choice': {
        content.stem = L(stemText() + '以下哪些做法是合理的？（多选）');
        const k = r.int(4, 6);
        const nRight = r.int(2, Math.min(4, k - 1));
        const rightSet = new Set(r.shuffle([...Array(k).keys()]).slice(0, nRight));
        const weight = nRight === 3 ? 0.3333333 : 1 / nRight;
        content.options = Array.from({ length: k }, (_, j) => {
          const o = {
            id: `o${j + 1}`,
            text: L(phrase(r)),
            fraction: rightSet.has(j) ? weight : r.next() < 0.5 ? -0.5 : -1,
          };
          if (r.next() < 0.3)
            o.feedback = L(rightSet.has(j) ? '这是合理的做法之一。' : '这一做法会增加上市风险。');
          return o;
        });
        content.scoring = 'partial';
        break;
      }
      case 'true_false':
        content.stem = L(stemText() + '判断：上述做法符合新品规划的基本原则。');
        content.answer = r.next() < 0.5;
        if (r.next() < 0.6)
          content.trueFeedback = L(content.answer ? '回答正确。' : `回答错误，${sentence(r)}`);
        if (r.next() < 0.6)
          content.falseFeedback = L(content.answer ? `回答错误，${sentence(r)}` : '回答正确。');
        break;
      case 'short_answer': {
        const [answer, partial] = r.shuffle(TOPICS).slice(0, 2);
        content.stem = L(
          `${paragraph(r, 1, 3)}在新品规划中，确定目标人群之后的下一步通常是 ${BLANK} ，它决定了后续的${r.pick(TOPICS)}。`,
        );
        const answers = [{ text: L(answer), fraction: 1 }];
        if (r.next() < 0.5) answers.push({ text: L(partial), fraction: 0.5 });
        content.gaps = [{ answers, caseSensitive: false }];
        break;
      }
      case 'numeric': {
        const units = r.int(200, 5000);
        const price = r.int(20, 400);
        content.stem = L(
          `${paragraph(r, 1, 2)}若首批备货 ${units} 件，单件毛利 ${price} 元，预计售罄率为 80%，则首批预计毛利（元）为多少？`,
        );
        const value = Math.round(units * price * 0.8);
        const answers = [{ value, tolerance: Math.round(value * 0.01), fraction: 1 }];
        if (r.next() < 0.4) answers.push({ value, tolerance: Math.round(value * 0.05), fraction: 0.5 });
        content.gaps = [{ answers }];
        break;
      }
      case 'matching': {
        content.stem = L(`${paragraph(r, 1, 2)}请将左侧的工作与右侧最相关的指标配对。`);
        const k = r.int(3, 5);
        const prompts = r.shuffle(TOPICS).slice(0, k);
        const matches = r.shuffle(DATA).slice(0, k + 1);
        content.pairs = prompts.map((p, j) => ({ id: `p${j + 1}`, prompt: L(p), match: L(matches[j]) }));
        if (r.next() < 0.3) content.pairs.push({ id: `p${k + 1}`, prompt: null, match: L(matches[k]) });
        break;
      }
      case 'essay':
        content.stem = L(stemText() + '请结合案例，论述你的新品规划方案（不少于 300 字）。');
        content.rubric = L(`评分要点：${paragraph(r, 2, 3)}`);
        break;
    }
    questions.push({ id, status: 'active', content });
  }
  return { bank: 'pa-bench', title: L('基准测试题库'), language: LANG, questions };
}

// ---- GIFT writer ---------------------------------------------------------------------------------
const esc = (t) => t.replace(/[\\~=#{}:]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
const weight = (f) => `%${Math.round(f * 100 * 100000) / 100000}%`;

function giftQuestion(q) {
  const c = q.content;
  const t = (x) => (x ? x[LANG] : '');
  const fb = (x) => (x ? `#${esc(t(x))}` : '');
  const lines = [`// [id:${q.id}]`, `// ${c.tags.map((tag) => `[tag:${tag}]`).join(' ')}`];
  const head = c.title ? `::${esc(t(c.title))}::` : '';
  const general = c.explanation ? `\n####${esc(t(c.explanation))}` : '';
  const stem = t(c.stem);
  switch (c.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const single = c.type === 'single_choice';
      const opts = c.options.map((o) =>
        single
          ? `${o.fraction >= 1 ? '=' : '~'}${esc(t(o.text))}${fb(o.feedback)}`
          : `~${weight(o.fraction)}${esc(t(o.text))}${fb(o.feedback)}`,
      );
      lines.push(`${head}${esc(stem)} {\n${opts.join('\n')}${general}\n}`);
      break;
    }
    case 'true_false': {
      // {T#feedback when the answer given is wrong#feedback when it is right}
      const wrong = c.answer ? c.falseFeedback : c.trueFeedback;
      const right = c.answer ? c.trueFeedback : c.falseFeedback;
      const tail = wrong || right ? `#${esc(t(wrong))}${right ? `#${esc(t(right))}` : ''}` : '';
      lines.push(`${head}${esc(stem)} {${c.answer ? 'TRUE' : 'FALSE'}${tail}${general}}`);
      break;
    }
    case 'short_answer': {
      const [before, after] = stem.split(BLANK);
      const answers = c.gaps[0].answers
        .map((a) => `=${a.fraction === 1 ? '' : weight(a.fraction)}${esc(t(a.text))}`)
        .join(' ');
      lines.push(`${head}${esc(before)}{${answers}${general}}${esc(after)}`);
      break;
    }
    case 'numeric': {
      const answers = c.gaps[0].answers;
      const body =
        answers.length === 1
          ? `${answers[0].value}:${answers[0].tolerance}`
          : answers.map((a) => `=${weight(a.fraction)}${a.value}:${a.tolerance}`).join(' ');
      lines.push(`${head}${esc(stem)} {#${body}${general}}`);
      break;
    }
    case 'matching': {
      const pairs = c.pairs.map((p) => `=${p.prompt ? esc(t(p.prompt)) : ''} -> ${esc(t(p.match))}`);
      lines.push(`${head}${esc(stem)} {\n${pairs.join('\n')}${general}\n}`);
      break;
    }
    case 'essay':
      lines.push(`${head}${esc(stem)} {${general}}`);
      break;
  }
  return lines.join('\n');
}

export function toGift(bank) {
  const blocks = [`// ${bank.bank} — ${bank.title[LANG]}`, '// generated by bench/bank-import/generate.mjs'];
  let category = null;
  for (const q of bank.questions) {
    if (q.content.category !== category) {
      category = q.content.category;
      blocks.push(`$CATEGORY: ${category}`);
    }
    blocks.push(giftQuestion(q));
  }
  return Buffer.from(blocks.join('\n\n') + '\n', 'utf8');
}

/** The QTI 3.0 package through the project's own exporter (dist/ must be built). */
export function toQtiPackage(bank, distRoot) {
  const require = createRequire(import.meta.url);
  const { exportQti3 } = require(join(distRoot, 'src/modules/question-banks/formats/qti.exporter.js'));
  const result = exportQti3(bank, { language: LANG });
  return { content: result.content, warnings: result.warnings };
}

// ---- standalone ----------------------------------------------------------------------------------
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : fallback;
  };
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const count = Number(arg('count', '10000'));
  const out = resolve(arg('out', join(root, 'bench/results/bank-import-input')));
  mkdirSync(out, { recursive: true });
  const bank = generateQuestions(count, Number(arg('seed', '42')));
  writeFileSync(join(out, `bench-${count}.gift`), toGift(bank));
  const qti = toQtiPackage(bank, join(root, 'dist'));
  writeFileSync(join(out, `bench-${count}.qti3.zip`), qti.content);
  for (const w of qti.warnings) console.error(`qti export warning: ${w}`);
  console.log(`wrote ${out}/bench-${count}.gift and bench-${count}.qti3.zip`);
}

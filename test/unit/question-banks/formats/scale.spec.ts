import { normalizeContent } from '../../../../src/modules/question-banks/domain/canonical';
import { exportBank } from '../../../../src/modules/question-banks/formats/export-bank';
import { parseQuestionFile } from '../../../../src/modules/question-banks/formats/parse-file';

// Correctness at benchmark scale: every one of 10,000 questions comes through, in order, through
// both formats. Speed is measured by bench/bank-import, never asserted in a unit test.
const N = 10_000;

function giftOf(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const head = `// [id:q${i}]\n// [tag:t${i % 7}]\n::题 ${i}::`;
    switch (i % 6) {
      case 0:
        parts.push(`${head}新品规划中，第 ${i} 题的哪一项最恰当？ {\n =优先考虑市场调研 #正确\n ~忽略用户\n ~%-50%盲目扩张\n ####解释 ${i}\n}`);
        break;
      case 1:
        parts.push(`${head}试销数据低于预期时应复盘。{TRUE#不对#对}`);
        break;
      case 2:
        parts.push(`${head}上市前的下一步是 {=上市节奏 =%50%节奏} 的规划。`);
        break;
      case 3:
        parts.push(`${head}复购率 ${i % 90}% 对应多少件？ {#${i}:0.5}`);
        break;
      case 4:
        parts.push(`${head}配对 {\n =认知 -> 曝光\n =兴趣 -> 搜索\n = -> 认证\n}`);
        break;
      default:
        parts.push(`${head}请论述三位一体。{}`);
    }
  }
  return parts.join('\n\n') + '\n';
}

describe('parsing 10,000 questions', () => {
  const gift = Buffer.from(giftOf(N));
  let parsed: ReturnType<typeof parseQuestionFile>;

  it(`reads a ${N}-question GIFT file `, () => {
    parsed = parseQuestionFile('big.gift', gift);
    expect(parsed.errors).toEqual([]);
    expect(parsed.questions).toHaveLength(N);
  });

  it(`writes and reads back a ${N}-item QTI 3.0 package `, () => {
    const bank = { bank: 'big', language: 'zh-CN', questions: parsed.questions.map((q) => ({ id: q.id!, content: normalizeContent(q.content) })) };
    const out = exportBank(bank, 'qti3');
    const back = parseQuestionFile(out.fileName, out.content);
    expect(back.errors).toEqual([]);
    expect(back.questions).toHaveLength(N);
    expect(back.questions[N - 1].id).toBe(`q${N - 1}`);
  }, 60_000);
});

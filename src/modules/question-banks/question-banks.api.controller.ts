import { Body, Controller, Get, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { actorOf } from '../organisations/organisations.service';
import { EditQuestionDto, ExportQueryDto, QuestionQueryDto, StatusDto } from './dto/question-banks.dto';
import { QuestionBanksService } from './question-banks.service';

const meta = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

/** Staff API for banks and questions. Answer keys appear here, and only here (staff only). */
@ApiTags('question-banks')
@Controller('api/v1/banks')
@Roles('platform_staff')
export class QuestionBanksApiController {
  constructor(private readonly banks: QuestionBanksService) {}

  @Get()
  list() {
    return this.banks.listBanks();
  }

  @Get('questions')
  async questions(@Query() query: QuestionQueryDto) {
    const bankId = query.bank ? (await this.banks.getBank(query.bank)).id : undefined;
    return this.banks.listQuestions({ bankId, tag: query.tag, type: query.type, difficulty: query.difficulty, status: query.status, q: query.q }, pageRequest(query));
  }

  @Get('questions/:id')
  question(@Param('id') id: string) {
    return this.banks.getQuestion(id);
  }

  @Put('questions/:id')
  edit(@Param('id') id: string, @Body() body: EditQuestionDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.banks.editQuestion(id, body.yaml, body.note ?? null, actorOf(principal, meta(req)));
  }

  @Post('questions/:id/status')
  async status(@Param('id') id: string, @Body() body: StatusDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    await this.banks.setStatus(id, body.status, actorOf(principal, meta(req)));
    return (await this.banks.getQuestion(id)).question;
  }

  @Get(':name')
  bank(@Param('name') name: string) {
    return this.banks.getBank(name);
  }

  @Get(':name/export')
  async export(@Param('name') name: string, @Query() query: ExportQueryDto, @Res() reply: FastifyReply) {
    const result = await this.banks.exportBank(name, query.format, query.language);
    return reply
      .header('content-disposition', `attachment; filename="${result.fileName}"`)
      .header('x-export-warnings', String(result.warnings.length))
      .type(result.fileName.endsWith('.zip') ? 'application/zip' : 'text/plain; charset=utf-8')
      .send(result.content);
  }
}

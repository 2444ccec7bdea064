import { Module } from '@nestjs/common';
import { ProjectorService } from './projector/projector.service';
import { TranslatorService } from './translator/translator.service';

/** The translator role. */
@Module({ providers: [TranslatorService], exports: [TranslatorService] })
export class TranslatorLibModule {}

/** The projector role. */
@Module({ providers: [ProjectorService], exports: [ProjectorService] })
export class ProjectorLibModule {}

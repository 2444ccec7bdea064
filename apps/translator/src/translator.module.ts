/** Translator: internal events → the public taxonomy (consumer group on the internal topics). */
import { Module } from '@nestjs/common';
import { TranslatorLibModule } from '@herald/events';

@Module({ imports: [TranslatorLibModule] })
export class TranslatorModule {}

/** Translator: internal events → the public taxonomy (consumer group on the internal topics). */
import { Module } from '@nestjs/common';

@Module({})
export class TranslatorModule {}

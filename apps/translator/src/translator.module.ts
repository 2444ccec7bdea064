/** Translator: internal events → the public taxonomy (consumer group on the internal topics). */
import { Module } from '@nestjs/common';
import { TranslatorLibModule } from '@herald/events';
import { TranslatorConsumer } from './translator.consumer';

@Module({ imports: [TranslatorLibModule], controllers: [TranslatorConsumer] })
export class TranslatorModule {}

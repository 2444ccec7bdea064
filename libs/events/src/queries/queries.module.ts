/** The query side of the public API: events, users and posts read from the read models. */
import { Module } from '@nestjs/common';
import { CursorCodec, HERALD_CONFIG, HeraldConfig } from '@herald/platform';
import { GetEventHttpController } from './get-event/get-event.http.controller';
import { GetEventQuery } from './get-event/get-event.query';
import { GetPostHttpController } from './get-post/get-post.http.controller';
import { GetPostQuery } from './get-post/get-post.query';
import { GetUserHttpController } from './get-user/get-user.http.controller';
import { GetUserQuery } from './get-user/get-user.query';
import { ListEventsHttpController } from './list-events/list-events.http.controller';
import { ListEventsDirectRead } from './list-events/list-events.direct-read';
import { ListEventsQuery } from './list-events/list-events.query';
import { ListPostsHttpController } from './list-posts/list-posts.http.controller';
import { ListPostsQuery } from './list-posts/list-posts.query';
import { ListUsersHttpController } from './list-users/list-users.http.controller';
import { ListUsersQuery } from './list-users/list-users.query';

@Module({
  controllers: [
    ListEventsHttpController,
    GetEventHttpController,
    ListUsersHttpController,
    GetUserHttpController,
    ListPostsHttpController,
    GetPostHttpController,
  ],
  providers: [
    {
      provide: CursorCodec,
      inject: [HERALD_CONFIG],
      useFactory: (config: HeraldConfig) => CursorCodec.fromMasterKey(config.masterKey),
    },
    ListEventsQuery,
    ListEventsDirectRead,
    GetEventQuery,
    ListUsersQuery,
    GetUserQuery,
    ListPostsQuery,
    GetPostQuery,
  ],
  exports: [ListEventsQuery, GetEventQuery, ListUsersQuery, GetUserQuery, ListPostsQuery, GetPostQuery],
})
export class EventQueriesModule {}
